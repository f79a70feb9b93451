// open(): a short list of named steps, from the app's url and options to a Window: resolve the
// options (options.ts), find the browser and profile, get a page (a new browser or a window of
// the one running on the profile), wire the IPC, install the page's scripts, serving and
// navigation policy, load the app, and build the Window with one shutdown path. Engine-neutral:
// it only uses the Page interface (src/engine/types.ts). openWith() is the same with the
// browser search and launch handed in, for the in-memory tests (not exported from index.ts).
import { bootstrapSource, packageVersion } from '../assets.js';
import { dirname, join, resolve } from 'node:path';
import { findBrowser, type FindBrowserOptions, type FoundBrowser } from '../browser/find.js';
import { adoptAppFolder, appDataDir, appIdFor, makeIncognitoDir, profileDir } from '../browser/profile.js';
import { launchEngine, type LaunchOptions } from '../engine/launch.js';
import type { Page } from '../engine/types.js';
import { dataChannelServer, type DataChannelServer } from '../data-channel/server.js';
import { createFolderServer, withDataChannelSource } from '../local/serve.js';
import { safeOrigin } from '../origin.js';
import { logger } from '../log.js';
import type { PageConfig } from '../page/bootstrap.js';
import { callerDirectory } from './caller.js';
import { connectIpc, storeSnapshotKeeper, type IpcConnection } from './connect.js';
import { extensionPaths } from '../extensions.js';
import { APP_ORIGIN, resolveOpenOptions, type OpenEnvironment, type OpenOptions, type OpenPlan } from './options.js';
import { createWindow, type Window } from './window.js';
import { faviconScript } from './identity.js';
import { engineFor, shareStore, trackWindow } from './windows.js';
import { loadV8Cache, V8_CACHE_FILE } from './v8cache.js';
import { keepWindowState, readWindowState, restoreWindowState, windowStateFile, type SavedWindowState } from './window-state.js';
import type { DefaultIpc, IpcSchema } from '../types/ipc.js';

export { APP_ORIGIN, type OpenOptions } from './options.js';

const log = logger('window');

/** This package's version (gluon-ts's own, from its package.json). */
export const PACKAGE_VERSION: string = packageVersion();
/**
 * The version of Gluon's API that gluon-ts implements: what a Gluon app reads as
 * `process.versions.gluon` and the page's `Gluon.versions.gluon` (apps compare it to pick code paths).
 */
export const GLUON_API_VERSION = '0.14.0';

/** What open() takes from the machine; the in-memory tests hand in fakes. Not public API. */
export interface OpenDeps extends OpenEnvironment {
  findBrowser(options: FindBrowserOptions): Promise<FoundBrowser>;
  launchEngine(browser: FoundBrowser, options: LaunchOptions): Promise<Page>;
}

const MACHINE: OpenDeps = {
  findBrowser, launchEngine, baseDir: callerDirectory, platform: process.platform, vars: process.env,
  entryDir: process.argv[1] ? dirname(process.argv[1]) : undefined,
};

/**
 * Opens `url` as an app window in a browser of this machine and resolves once the backend can
 * talk to it. `url` is an `https://` address, or a local folder or file (`'ui'`,
 * `'ui/index.html'`), resolved from the calling module's folder and served under
 * {@link APP_ORIGIN}. `T` describes the app's IPC for type checking (see {@link IpcSchema}).
 *
 * ```js
 * const Window = await Gluon.open('ui', { windowSize: [800, 600] });
 * Window.ipc.getConfig = async () => ({ theme: 'dark' });
 * ```
 */
export async function open<T extends IpcSchema = DefaultIpc>(url: string, options: OpenOptions = {}): Promise<Window<T>> {
  return openWith<T>(MACHINE, url, options);
}

/** open(), with the browser search, the launch and the environment from `deps`. */
export async function openWith<T extends IpcSchema = DefaultIpc>(deps: OpenDeps, url: string, options: OpenOptions = {}): Promise<Window<T>> {
  const plan = await resolveOpenOptions(url, options, deps);
  const serverStarting = startDataChannel(plan); // while the browser starts
  const browser = await deps.findBrowser({ forceBrowser: plan.forceBrowser, forceEngine: plan.forceEngine });
  log(`using ${browser.name} at ${browser.path}`);
  const profile = await chooseProfile(browser, plan);
  const remembered = await rememberedState(plan, profile);
  const { engine, launched } = await getPage(deps, browser, remembered.windowSize ? { ...plan, windowSize: remembered.windowSize } : plan, profile);
  try {
    if (remembered.saved) await restoreWindowState(engine, remembered.saved).catch((error: Error) => log('could not restore the window state:', error.message));
    const dataChannel = await grantDataChannel(engine, plan, await serverStarting);
    const connection = wireIpc(engine, plan, dataChannel); // no await until the bootstrap is sent: it goes before the store snapshot
    const allowOnce = await installPageRules(engine, browser, plan, dataChannel);
    if (plan.identity?.icon) await engine.addInitScript(faviconScript(plan.identity.icon));
    if (launched) await installExtensions(engine, browser, profile.extensions);
    await seedV8Cache(engine, profile.dir);
    const navigated = loadAppAfterContinuation(engine, plan.startUrl);
    const close = shutdownPath(engine, profile.incognito);
    const window = createWindow({ engine, connection, browser, profile: profile.dir, navigated, close, allowOnce });
    if (remembered.file) keepWindowState(window, remembered.file, remembered.saved);
    trackWindow(window);
    return window as Window<any> as Window<T>;
  } catch (error) {
    await engine.close();
    await profile.incognito?.remove();
    throw error;
  }
}

/** A local app's loopback data channel server, started now; undefined if it gets none. */
function startDataChannel(plan: OpenPlan): Promise<DataChannelServer | undefined> {
  if (!plan.dataChannel) return Promise.resolve(undefined);
  return dataChannelServer().catch((error) => {
    log('no data channel:', String(error));
    return undefined;
  });
}

/**
 * open(url, { windowState }): the state file in the app's data folder (incognito windows too: it
 * is the app's, not browsing data), what it holds, and the size the browser starts with from it
 * (so only the place changes once the window is there).
 */
async function rememberedState(plan: OpenPlan, profile: Profile): Promise<{ file?: string; saved?: SavedWindowState; windowSize?: [number, number] }> {
  if (plan.windowState === undefined) return {};
  const file = windowStateFile(appDataDir({ appId: profile.appId, dataPath: plan.dataPath }), plan.windowState);
  const saved = await readWindowState(file);
  log('window state', file, saved ? JSON.stringify(saved) : 'none');
  return { file, saved, windowSize: saved && !saved.maximized ? [saved.width, saved.height] : undefined };
}

interface Profile {
  dir: string;
  /** The temporary profile of an incognito window, removed when it closes. */
  incognito?: { dir: string; remove(): Promise<void> };
  /** The extensions (Gluon.extensions) this browser installs. */
  extensions: string[];
  /** The app's id (its data folder's name). */
  appId: string;
}

async function chooseProfile(browser: FoundBrowser, plan: OpenPlan): Promise<Profile> {
  const entry = process.argv[1] ? dirname(process.argv[1]) : plan.baseDir;
  const extensions = await extensionPaths(browser.engine);
  const incognito = plan.incognito ? await makeIncognitoDir() : undefined;
  // The app's data folder's name (its profiles, its window state): an incognito window's state is the app's too.
  const appId = plan.dataPath ? '' : incognito ? (plan.identity?.windowClass ?? appIdFor(entry)) : await adoptAppFolder({ windowClass: plan.identity?.windowClass, entryPath: entry, log });
  const dir = incognito?.dir ?? profileDir({ appId, browserId: browser.id, dataPath: plan.dataPath });
  log('profile:', dir);
  return { dir, incognito, extensions, appId };
}

/** A window in the browser running on the profile, or a new browser's (the temporary profile removed if that fails). */
async function getPage(deps: OpenDeps, browser: FoundBrowser, plan: OpenPlan, profile: Profile): Promise<{ engine: Page; launched: boolean }> {
  // A profile serves one browser: a window of a profile whose browser runs opens in it.
  const running = profile.incognito ? undefined : `${browser.path}\0${resolve(profile.dir)}`;
  const launch = () => deps.launchEngine(browser, {
    startUrl: plan.startUrl,
    profileDir: profile.dir,
    temporaryProfile: profile.incognito !== undefined,
    headless: plan.headless,
    windowSize: plan.windowSize,
    allowHTTP: plan.allowHTTP,
    userAgent: plan.userAgent,
    devtools: plan.devtools,
    extraArgs: plan.browserArgs,
    extensions: profile.extensions.length > 0,
    identity: plan.identity && { name: plan.identity.name, windowClass: plan.identity.windowClass, icon: plan.identity.icon && { path: plan.identity.icon.path, width: plan.identity.icon.width, height: plan.identity.icon.height } },
  });
  const page = await engineFor(running, launch, plan.windowSize).catch(async (error) => {
    await profile.incognito?.remove();
    throw error;
  });
  if (!page.launched) log('opened in the browser already running on', profile.dir);
  return page;
}

/** The data channel server, if the browser lets the app's origin reach the loopback address. */
async function grantDataChannel(engine: Page, plan: OpenPlan, server: DataChannelServer | undefined): Promise<DataChannelServer | undefined> {
  return server && (await engine.grantLoopback(plan.ipcOrigin)) ? server : undefined;
}

/**
 * The backend's IPC endpoint on the page, with its store snapshot kept for new documents (its
 * first init script is registered a microtask later, after the bootstrap the caller sends now).
 */
function wireIpc(engine: Page, plan: OpenPlan, dataChannel: DataChannelServer | undefined): IpcConnection {
  const connection = connectIpc(engine, { origin: plan.ipcOrigin, waitForHandler: plan.ipcWait, dataChannel });
  const { endpoint } = connection;
  const keepSnapshot = storeSnapshotKeeper(engine, endpoint);
  endpoint.onStoreChange(keepSnapshot);
  if (plan.shareStore) {
    shareStore(endpoint, engine);
    keepSnapshot();
  }
  return connection;
}

/**
 * The page's side of the IPC and the onLoad script as init scripts, the local app's folder
 * served, and the navigation policy; resolves once all apply, with the policy's allowOnce.
 */
async function installPageRules(engine: Page, browser: FoundBrowser, plan: OpenPlan, dataChannel: DataChannelServer | undefined): Promise<(url: string) => void> {
  // Sent now, so it travels with the interception set-up below.
  const initScript = engine.addInitScript(pageScript({
    send: engine.pageSendName,
    receive: engine.pageReceiveName,
    origins: [plan.ipcOrigin],
    waitForHandler: plan.ipcWait,
    dataChannel: dataChannel !== undefined,
    versions: {
      gluon: GLUON_API_VERSION,
      gluonTs: PACKAGE_VERSION,
      builder: 'nothing',
      node: process.versions.node,
      browser: engine.versions.product,
      browserType: engine.name,
      product: browser.name,
      js: { node: process.versions.v8, browser: engine.versions.jsEngine },
      embedded: { node: false, browser: false },
    },
  }));
  initScript.catch(() => {}); // awaited below
  // After the bootstrap, so window.Gluon is there when it runs.
  const onLoadScript = plan.onLoad === undefined ? undefined : engine.addInitScript(plan.onLoad);
  onLoadScript?.catch(() => {}); // awaited below
  if (plan.served) {
    const local = logger('local');
    const csp = dataChannel ? withDataChannelSource(plan.localCSP, dataChannel.port) : plan.localCSP;
    await engine.serve(APP_ORIGIN, createFolderServer(plan.served.root, { csp, entry: plan.served.entry, log: local.enabled ? local : undefined }));
  }
  // Navigations the window itself makes (Window.idle), let through once each.
  const allowedOnce = new Set<string>();
  await engine.setNavigationPolicy(({ url: next }) => {
    if (allowedOnce.delete(stripHash(next))) return true;
    if (plan.allowNavigation === true) return true;
    if (plan.allowNavigation === false) return stripHash(next) === stripHash(plan.startUrl);
    return safeOrigin(next) === plan.ipcOrigin;
  });
  await initScript;
  await onLoadScript;
  return (next) => void allowedOnce.add(stripHash(next));
}

/** A window in a browser already running has that browser's extensions: only a new browser installs them. */
async function installExtensions(engine: Page, browser: FoundBrowser, paths: string[]): Promise<void> {
  for (const path of paths) {
    await engine.installExtension(path).catch((error: Error) => {
      throw new Error(`Gluon.open: ${browser.name} could not install the extension ${path}: ${error.message}`);
    });
  }
}

/** A V8 cache built earlier for this profile (Window.v8Cache.build()) seeds the app's documents. */
async function seedV8Cache(engine: Page, profile: string): Promise<void> {
  if (engine.codeCache) await loadV8Cache(engine, join(profile, V8_CACHE_FILE)).catch((error: Error) => log(error.message));
}

/**
 * Starts loading the app once the app's code right after `await open()` (exposing functions,
 * filling the store) has run: that synchronous continuation runs before the page does.
 * (Starting earlier and holding the response back deadlocks: Chromium holds protocol commands
 * for the page, such as a store snapshot's init script, until a navigation commits.)
 * Settles once the app's first document has replaced the start page, or could not.
 */
function loadAppAfterContinuation(engine: Page, startUrl: string): Promise<void> {
  return new Promise<void>((resolve) => {
    setImmediate(() => {
      if (engine.closed) return resolve();
      log('navigating to', startUrl);
      engine.navigate(startUrl).then(resolve, (error: Error) => {
        if (!engine.closed) process.emitWarning(`Gluon.open: the window could not load ${startUrl}: ${error.message}`, { code: 'GLUON_LOAD_FAILED' });
        resolve();
      });
    });
  });
}

/**
 * One way to shut down, whoever closes the window (the app, the user, a crash): the browser
 * exits, then its temporary profile is deleted, then close() resolves.
 */
function shutdownPath(engine: Page, incognito: Profile['incognito']): () => Promise<void> {
  let shutdown: Promise<void> | undefined;
  const close = () => (shutdown ??= engine.close().finally(() => incognito?.remove()));
  engine.on('close', () => void close());
  return close;
}

let bootstrap: string | undefined;
function pageScript(config: PageConfig): string {
  bootstrap ??= bootstrapSource();
  return `(() => { const __GLUON_CONFIG__ = ${JSON.stringify(config)};\n${bootstrap}\n})();`;
}


function stripHash(url: string): string {
  const index = url.indexOf('#');
  return index === -1 ? url : url.slice(0, index);
}
