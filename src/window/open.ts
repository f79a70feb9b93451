// open(): options and security checks, finding and launching the browser, serving a
// local app folder, and wiring the IPC endpoint to the engine. Engine-neutral: it only
// uses the Engine interface (src/engine/types.ts).
import { bootstrapSource, packageVersion } from '../assets.js';
import { dirname, join, resolve } from 'node:path';
import { findBrowser } from '../browser/find.js';
import { appIdFor, makeIncognitoDir, profileDir } from '../browser/profile.js';
import { launchEngine } from '../engine/launch.js';
import { dataChannelServer, type DataChannelServer } from '../data-channel/server.js';
import { createFolderServer, cspAllowsDataChannel, DEFAULT_CSP, resolveLocalTarget, withDataChannelSource } from '../local/serve.js';
import { logger, warnOnce } from '../log.js';
import type { PageConfig } from '../page/bootstrap.js';
import { callerDirectory } from './caller.js';
import { connectIpc, storeSnapshotKeeper } from './connect.js';
import { extensionPaths } from '../extensions.js';
import { codeOf, onDomReady } from './resources.js';
import { createWindow, type Window } from './window.js';
import { engineFor, shareStore, trackWindow } from './windows.js';
import { loadV8Cache, V8_CACHE_FILE } from './v8cache.js';
import type { DefaultIpc, IpcSchema } from '../types/ipc.js';

const log = logger('window');

/** The private origin local apps are served under. `.invalid` can never resolve to a real host (RFC 2606). */
export const APP_ORIGIN = 'https://app.gluon.invalid';

/** This package's version (gluon-ts's own, from its package.json). */
export const PACKAGE_VERSION: string = packageVersion();
/**
 * The version of Gluon's API that gluon-ts implements: what a Gluon app reads as
 * `process.versions.gluon` and the page's `Gluon.versions.gluon` (apps compare it to pick code paths).
 */
export const GLUON_API_VERSION = '0.14.0';

export interface OpenOptions {
  /** Use this browser (catalogue id such as 'chrome', 'edge', 'chromium', or an absolute path). */
  forceBrowser?: string;
  /** Only consider browsers of this engine. */
  forceEngine?: 'chromium' | 'firefox';
  /** Window size in CSS pixels, [width, height]. */
  windowSize?: [number, number];
  /** false (default): http:// refused; 'mixed': allowed for subresources only; true: allowed. */
  allowHTTP?: false | 'mixed' | true;
  /** Top-level navigation: false (only the opened URL), 'same-origin' (default), true (anywhere). */
  allowNavigation?: false | 'same-origin' | true;
  /** Content-Security-Policy for local apps; '' sends none. */
  localCSP?: string;
  /** DevTools in the window (default true). */
  devtools?: boolean;
  userAgent?: string;
  /** Use a fresh temporary profile, removed when the window closes. */
  incognito?: boolean;
  /** No visible window. Defaults to GLUON_HEADLESS=1 in the environment. */
  headless?: boolean;
  /** Where browser profiles for this app live (default: the platform's per-user data folder). */
  dataPath?: string;
  /**
   * How long (ms) a backend call or event waits for the page to be there and, until the page's
   * `load`, for a listener or function its scripts have not added yet. Default 5000. Once up, a
   * side answers at once: an event nobody listens for with `null`, a call of a function not
   * exposed with a ReferenceError.
   */
  ipcWait?: number;
  /** Extra browser command-line arguments. */
  browserArgs?: string[];
  /**
   * Local apps: carry IPC over a token-authenticated WebSocket on 127.0.0.1 once the page is up
   * (about twice as fast as the browser protocol, ten times for large payloads). Default true;
   * false keeps every message on the browser protocol and opens no port.
   */
  loopbackIPC?: boolean;
  /**
   * Code run in the page after each load (the first one, reloads, navigations), in the top-level
   * frame, once its DOM is parsed and with `window.Gluon` there: a function (sent as its source,
   * so it cannot use the backend's variables) or a string.
   */
  onLoad?: (() => unknown) | string;
  /**
   * Share the store with the other windows opened with `shareStore: true` in this process: the
   * window starts with their entries, and a change to any of their stores, by the backend or by
   * a page, is made to all.
   */
  shareStore?: boolean;
}

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
  // '' is the calling module's own folder, as in Gluon (its index.html is the entry).
  if (typeof url !== 'string') throw new TypeError(`open(url): url must be a URL or a path, got ${typeof url}`);
  const baseDir = callerDirectory();
  const allowHTTP = options.allowHTTP ?? false;
  const allowNavigation = options.allowNavigation ?? 'same-origin';
  const localCSP = options.localCSP ?? DEFAULT_CSP;
  const ipcWait = options.ipcWait ?? 5000;
  const onLoad = options.onLoad === undefined ? undefined : onDomReady(codeOf(options.onLoad, 'open(url, { onLoad })'));

  if (/^http:\/\//i.test(url) && allowHTTP !== true) {
    throw new Error(
      `Refusing to open ${url}: http:// URLs are blocked by default because anything on the network path could ` +
        `inject code that talks to your backend. Use https://, or pass { allowHTTP: true } if you really must (e.g. a local dev server).`,
    );
  }
  if (allowHTTP === true) warnOnce('allowHTTP', 'Gluon.open: allowHTTP is true: pages loaded over http:// can call your exposed functions. Use https:// where you can.');
  if (allowNavigation === true) warnOnce('allowNavigation', 'Gluon.open: allowNavigation is true: the window may navigate to any site (only the opened origin can use IPC).');
  if (localCSP === '') warnOnce('localCSP', "Gluon.open: localCSP is '': the local app runs with no Content-Security-Policy.");

  const headless = options.headless ?? /^(1|true|yes)$/i.test(process.env.GLUON_HEADLESS ?? '');
  if (!headless && process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw new Error(
      'Cannot open a window: there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set). ' +
        'Run the app on a desktop session, under a virtual display (xvfb-run -a node app.js), ' +
        'or headless with GLUON_HEADLESS=1 or open(url, { headless: true }).',
    );
  }

  // A URL has a scheme of two or more letters; `C:\apps\ui` (one letter) is a Windows path.
  const isLocal = !/^[a-z][a-z0-9+.-]+:/i.test(url);
  let startUrl = url;
  let served: { root: string; entry: string } | undefined;
  if (isLocal) {
    const target = await resolveLocalTarget(url, baseDir);
    served = target;
    startUrl = APP_ORIGIN + target.entryPath;
  }
  const ipcOrigin = new URL(startUrl).origin;
  // The data channel server starts while the browser does.
  const dataChannelPromise: Promise<DataChannelServer | undefined> | undefined =
    isLocal && options.loopbackIPC !== false && cspAllowsDataChannel(localCSP)
      ? dataChannelServer().catch((error) => {
          log('no data channel:', String(error));
          return undefined;
        })
      : undefined;

  const browser = await findBrowser({ forceBrowser: options.forceBrowser, forceEngine: options.forceEngine });
  log(`using ${browser.name} at ${browser.path}`);

  const entry = process.argv[1] ? dirname(process.argv[1]) : baseDir;
  const extensionsToInstall = await extensionPaths(browser.engine);
  const incognito = options.incognito ? await makeIncognitoDir() : undefined;
  const profile = incognito?.dir ?? profileDir({ appId: appIdFor(entry), browserId: browser.id, dataPath: options.dataPath });
  log('profile:', profile);

  // A profile serves one browser: a window of a profile whose browser runs opens in it.
  const running = incognito ? undefined : `${browser.path}\0${resolve(profile)}`;
  const { engine, launched } = await engineFor(running, () => launchEngine(browser, {
    startUrl,
    profileDir: profile,
    temporaryProfile: incognito !== undefined,
    headless,
    windowSize: options.windowSize,
    allowHTTP,
    userAgent: options.userAgent,
    devtools: options.devtools,
    extraArgs: options.browserArgs,
    extensions: extensionsToInstall.length > 0,
  }), options.windowSize).catch(async (error) => {
    await incognito?.remove();
    throw error;
  });
  if (!launched) log('opened in the browser already running on', profile);

  try {
    let dataChannel = await dataChannelPromise;
    if (dataChannel && !(await engine.grantLoopback(ipcOrigin))) dataChannel = undefined;
    const connection = connectIpc(engine, { origin: ipcOrigin, waitForHandler: ipcWait, dataChannel });
    const { endpoint } = connection;
    const keepSnapshot = storeSnapshotKeeper(engine, endpoint);
    endpoint.onStoreChange(keepSnapshot);
    if (options.shareStore) {
      shareStore(endpoint, engine);
      keepSnapshot();
    }
    // Sent now, so it travels with the interception set-up below.
    const initScript = engine.addInitScript(pageScript({
      send: engine.pageSendName,
      receive: engine.pageReceiveName,
      origins: [ipcOrigin],
      waitForHandler: ipcWait,
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
    const onLoadScript = onLoad === undefined ? undefined : engine.addInitScript(onLoad);
    onLoadScript?.catch(() => {}); // awaited below
    if (served) {
      const local = logger('local');
      const csp = dataChannel ? withDataChannelSource(localCSP, dataChannel.port) : localCSP;
      await engine.serve(APP_ORIGIN, createFolderServer(served.root, { csp, entry: served.entry, log: local.enabled ? local : undefined }));
    }
    // Navigations the window itself makes (Window.idle), let through once each.
    const allowedOnce = new Set<string>();
    await engine.setNavigationPolicy(({ url: next }) => {
      if (allowedOnce.delete(stripHash(next))) return true;
      if (allowNavigation === true) return true;
      if (allowNavigation === false) return stripHash(next) === stripHash(startUrl);
      return safeOrigin(next) === ipcOrigin;
    });
    await initScript;
    await onLoadScript;
    // A window in a browser already running has that browser's extensions.
    for (const path of launched ? extensionsToInstall : []) {
      await engine.installExtension(path).catch((error: Error) => {
        throw new Error(`Gluon.open: ${browser.name} could not install the extension ${path}: ${error.message}`);
      });
    }
    // A V8 cache built earlier for this profile (Window.v8Cache.build()) seeds the app's documents.
    if (engine.codeCache) await loadV8Cache(engine, join(profile, V8_CACHE_FILE)).catch((error: Error) => log(error.message));
    // The app's code right after `await open()` (exposing functions, filling the store) runs
    // before the page does: navigation starts only once that synchronous continuation is over.
    // (Starting it earlier and holding the response back deadlocks: Chromium holds protocol
    // commands for the page, such as a store snapshot's init script, until a navigation commits.)
    const navigated = new Promise<void>((resolve) => {
      setImmediate(() => {
        if (engine.closed) return resolve();
        log('navigating to', startUrl);
        engine.navigate(startUrl).then(resolve, (error: Error) => {
          if (!engine.closed) process.emitWarning(`Gluon.open: the window could not load ${startUrl}: ${error.message}`, { code: 'GLUON_LOAD_FAILED' });
          resolve();
        });
      });
    });
    // One way to shut down, whoever closes the window (the app, the user, a crash):
    // the browser exits, then its temporary profile is deleted, then close() resolves.
    let shutdown: Promise<void> | undefined;
    const close = () => (shutdown ??= engine.close().finally(() => incognito?.remove()));
    engine.on('close', () => void close());
    const window = createWindow({ engine, connection, browser, profile, navigated, close, allowOnce: (next) => allowedOnce.add(stripHash(next)) });
    trackWindow(window);
    return window as Window<any> as Window<T>;
  } catch (error) {
    await engine.close();
    await incognito?.remove();
    throw error;
  }
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

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
