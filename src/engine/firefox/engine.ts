// The Engine interface on Firefox-family browsers, over WebDriver BiDi on the remote agent's
// loopback WebSocket (Firefox 141+ has no CDP). Launch: a prepared profile, the window on
// about:blank, one BiDi session held by us; then the window layer adds its init script,
// serving and navigation policy and navigates to the app.
//
// Page -> backend: a preload script hands the page a BiDi `channel` function under a random
// global name (the page bootstrap takes and deletes it); each call arrives as `script.message`
// naming the realm it came from. Backend -> page: `script.callFunction` in the top-level
// document's realm.
import { randomBytes } from 'node:crypto';
import type * as Bidi from 'webdriver-bidi-protocol';
import {
  firefoxArgs, firefoxBuildId, firefoxTemplateDir, firefoxVersion, isNewFirefoxProfile, prepareFirefoxProfile, saveFirefoxTemplate, seedFirefoxProfile,
} from '../../browser/firefox.js';
import type { FoundBrowser } from '../../browser/find.js';
import { killAllOnExit, spawnBrowser, type BrowserExit, type BrowserProcess } from '../../browser/process.js';
import { logger, warnOnce } from '../../log.js';
import { eventOrTimeout } from '../../wait.js';
import type {
  Engine, EngineEvents, EngineLaunchOptions, EngineVersions, MessageSource, PdfOptions, NavigationRequest, RawEvent, ServedRequest, ServedResponse, WindowBounds, WindowInfo, WindowState,
} from '../types.js';
import { oncePerDocument } from '../init-script.js';
import { BidiConnection, BidiError, type BidiEvents } from './bidi.js';
import { CdpOnBidi } from './cdp-on-bidi.js';
import { fromRemoteValue } from './values.js';

const log = logger('browser');

const LAUNCH_TIMEOUT = 30_000;
/** How long closing one window of several waits for the browser to say it is gone. */
const CLOSE_WAIT = 2000;
const START_URL = 'about:blank';
/** How long navigate() waits for the start page launched on the command line before asking again. */
const START_WAIT = 15_000;

export type FirefoxLaunchOptions = EngineLaunchOptions & { browser: FoundBrowser };

interface RealmInfo {
  origin: string;
  context: string;
  sandbox?: string;
  /** The id the document drew in the preload script (see postToPage). */
  doc?: string;
}

/** The windows of one browser, and the parent of each browsing context that has one. */
interface FirefoxFamily {
  windows: Set<FirefoxEngine>;
  parents: Map<string, string>;
  /** The session's capabilities (its user agent: Browser.getVersion on Window.cdp). */
  capabilities: Promise<Record<string, unknown>>;
  /** The install's build id, or ''. */
  buildId: string;
}

/** The preload script's first message in each document: this mark, then the document's id. */
const DOC_MARK = '\u0003gluon-doc:';

export async function launchFirefox(options: FirefoxLaunchOptions): Promise<FirefoxEngine> {
  const { browser } = options;
  // A new profile starts from the start-up caches of an earlier one (see TEMPLATE_FILES); the
  // first new profile with none to start from leaves its own behind when it shuts down cleanly.
  const template = isNewFirefoxProfile(options.profileDir) ? firefoxTemplateDir(browser.path) : undefined;
  const seeded = template !== undefined && (await seedFirefoxProfile(options.profileDir, template).catch(() => false));
  if (template) log(seeded ? `profile seeded from ${template}` : `no profile template yet at ${template}`);
  await prepareFirefoxProfile(options.profileDir, { allowHTTP: options.allowHTTP, userAgent: options.userAgent, windowSize: options.windowSize, devtools: options.devtools });
  const args = firefoxArgs({ profileDir: options.profileDir, headless: options.headless, extraArgs: options.extraArgs, startUrl: options.startUrl });
  log('launching', browser.path, args.join(' '));
  let announce!: (url: string) => void;
  const listening = new Promise<string>((resolve) => (announce = resolve));
  const proc = spawnBrowser(browser.path, args, {
    pipe: false,
    onStderr: (line) => {
      const match = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(line);
      if (match) announce(match[1]!);
    },
  });
  const unregister = killAllOnExit(proc, options.temporaryProfile ? options.profileDir : undefined);
  proc.exited.then(unregister, unregister);

  const failed = (why: string) =>
    /already running|not responding|profile.*(locked|in use)/i.test(proc.stderrTail())
      ? new Error(
          `Could not start ${browser.name}: its profile folder ${options.profileDir} is in use by another browser ` +
            `(another run of this app, or a browser left running by one). One profile serves one browser at a time ` +
            `(the windows of one process share it): close that app, or open this window with { incognito: true } or another { dataPath }.`,
        )
      : new Error(
          `Could not start ${browser.name} (${browser.path}): ${why}.\n` +
            `What it printed last:\n${proc.stderrTail().split('\n').slice(-15).join('\n') || '(nothing)'}\n` +
            `Try running it by hand with --headless to see why, or choose another browser with GLUON_BROWSER or --browser=NAME.`,
        );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(failed(`its remote agent did not answer within ${LAUNCH_TIMEOUT / 1000} s`)), LAUNCH_TIMEOUT);
    proc.exited.then(({ code, signal }) => reject(failed(`it exited during start-up (code ${code}, signal ${signal})`)));
  });
  giveUp.catch(() => {});
  let bidi: BidiConnection | undefined;
  try {
    const url = await Promise.race([listening, giveUp]);
    // Only loopback: the agent's default, and what we connect to.
    if (!/^ws:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+$/.test(url)) throw failed(`its remote agent listens on ${url}, not on loopback`);
    bidi = await Promise.race([BidiConnection.connect(`${url}/session`), giveUp]);
    const engine = await Promise.race([FirefoxEngine.start(bidi, proc, browser, options.startUrl), giveUp]);
    // Temporary add-ons may be listed in the add-on registries: such a profile leaves no template.
    if (template && !seeded && !options.extensions) {
      engine.afterExit = async ({ code, signal }) => {
        if (code !== 0 || signal) return;
        if (await saveFirefoxTemplate(options.profileDir, template)) log(`profile template saved to ${template}`);
      };
    }
    return engine;
  } catch (error) {
    bidi?.close();
    await proc.kill(500).catch(() => {});
    throw error instanceof BidiError ? failed(error.message) : error;
  } finally {
    clearTimeout(timer);
  }
}

export class FirefoxEngine implements Engine {
  readonly name = 'firefox' as const;
  readonly pageSendName = `__gluon_send_${randomBytes(6).toString('hex')}`;
  readonly pageReceiveName = `__gluon_receive_${randomBytes(6).toString('hex')}`;
  /** The preload's function that passes a text to pageReceiveName if it is for this document. */
  private readonly pageGuardName = `__gluon_guard_${randomBytes(6).toString('hex')}`;
  private readonly guardedReceive = `(text, doc) => { globalThis[${JSON.stringify(this.pageGuardName)}](text, doc); }`;
  private readonly channel = `gluon-${randomBytes(8).toString('hex')}`;
  private readonly realms = new Map<string, RealmInfo>();
  private topRealm: string | undefined;
  private readonly served = new Map<string, (req: ServedRequest) => Promise<ServedResponse>>();
  private navigationPolicy: ((nav: NavigationRequest) => boolean) | undefined;
  private pageMessageHandler: (text: string, from: MessageSource) => void = () => {};
  private readonly listeners: { [K in keyof EngineEvents]: Set<(info: EngineEvents[K]) => void> } = {
    document: new Set(), load: new Set(), close: new Set(),
  };
  private currentUrl = START_URL;
  /** URLs whose navigation the policy refused, so navigate() can say so. */
  private readonly blocked = new Set<string>();
  /** The window's top-level browsing context, known once the window exists. */
  private context = '';
  private readonly hasContext: Promise<void>;
  private contextFound!: () => void;
  /**
   * Launched with the app's URL on the command line: its document request is held here
   * (unanswered) until navigate() is called for it, so nothing of the app runs before the
   * window layer is ready, yet the browser starts loading it during its own start-up.
   */
  private holdingStart: boolean;
  private readonly startUrl: string | undefined;
  private heldStart: BidiEvents['network.beforeRequestSent'] | undefined;
  private closeReason: string | undefined;
  private closing: Promise<void> | undefined;
  /** Run once the browser has exited, before close() resolves (the profile is still there). */
  afterExit: ((exit: BrowserExit) => Promise<void>) | undefined;

  versions: EngineVersions = { product: '', engine: '', jsEngine: '', jsEngineName: 'spidermonkey' };

  /** The window's browsing context was closed (the browser may still run other windows). */
  private contextGone = false;
  /** The window the browser was started with (the others come from openWindow). */
  private launcher = false;

  private constructor(
    private readonly bidi: BidiConnection,
    readonly process: BrowserProcess,
    startUrl: string | undefined,
    /** Every window of this browser (openWindow), and which browsing context is whose child. */
    private readonly family: FirefoxFamily,
  ) {
    this.holdingStart = startUrl !== undefined;
    this.startUrl = startUrl;
    this.hasContext = new Promise((resolve) => (this.contextFound = resolve));
    family.windows.add(this);
  }

  /**
   * Whether a request from `context` is this window's to handle: its window's own, including its
   * frames'; one from no window (a worker, say) goes to the oldest open window.
   */
  private owns(context: string | null | undefined): boolean {
    if (!this.context) return true; // the first window, before it knows its context
    let top = context ?? undefined;
    for (let parent = top && this.family.parents.get(top); parent; parent = this.family.parents.get(parent)) top = parent;
    const windows = [...this.family.windows];
    return (windows.find((w) => w.context === top) ?? windows[0]) === this;
  }

  /**
   * Starts the session and the window's set-up. Firefox answers session.new only once its idle
   * start-up tasks are over (a second or more), but runs the commands sent behind it at once: so
   * they are all sent together, and nothing waits for that answer. The version comes from the
   * install's application.ini, else from the user agent (major.minor), else from the session.
   */
  static async start(bidi: BidiConnection, proc: BrowserProcess, browser: FoundBrowser, startUrl?: string): Promise<FirefoxEngine> {
    const session = bidi.send('session.new', { capabilities: {} });
    session.catch(() => {});
    const capabilities = session.then(({ capabilities: c }) => c as Record<string, unknown>);
    capabilities.catch(() => {});
    const family: FirefoxFamily = { windows: new Set(), parents: new Map(), capabilities, buildId: firefoxBuildId(browser.path) ?? '' };
    bidi.on('browsingContext.contextCreated', ({ context, parent }) => {
      if (parent) family.parents.set(context, parent);
    });
    bidi.on('browsingContext.contextDestroyed', ({ context }) => family.parents.delete(context));
    const engine = new FirefoxEngine(bidi, proc, startUrl, family);
    engine.launcher = true;
    await engine.listen();
    const version = firefoxVersion(browser.path) ?? (await engine.userAgentVersion())
      ?? String((await capabilities).browserVersion ?? '');
    // SpiderMonkey is versioned with Firefox.
    engine.versions = { product: version, engine: version, jsEngine: version, jsEngineName: 'spidermonkey' };
    log(`attached to ${browser.name} ${version} (context ${engine.context})`);
    return engine;
  }

  /** `153.0` from the window's user agent (`... Firefox/153.0`), or undefined. */
  private async userAgentVersion(): Promise<string | undefined> {
    const result = await this.bidi.send('script.evaluate', {
      expression: 'navigator.userAgent', target: { context: this.context }, awaitPromise: false, resultOwnership: 'none',
    }).catch(() => undefined);
    const agent = result?.type === 'success' && result.result.type === 'string' ? result.result.value : '';
    return /(?:Firefox|rv:)\/?([\d.]+)/.exec(agent)?.[1];
  }

  /** Sets the window's context once: from the tree, a contextCreated event or its first request. */
  private foundContext(context: string): void {
    if (this.context) return;
    this.context = context;
    this.contextFound();
  }

  /** Another window in this browser: a new top-level context with its own channel and scripts. */
  async openWindow(o: { windowSize?: [number, number] } = {}): Promise<FirefoxEngine> {
    if (this.closed) throw new Error('the browser of this window is closed');
    const { context } = await this.bidi.send('browsingContext.create', { type: 'window' });
    const engine = new FirefoxEngine(this.bidi, this.process, undefined, this.family);
    engine.versions = this.versions;
    engine.foundContext(context);
    await engine.listen();
    // Its document there now (about:blank) is the realm until the app's own.
    const { realms } = await this.bidi.send('script.getRealms', { context, type: 'window' });
    for (const realm of realms as Bidi.Script.WindowRealmInfo[]) {
      engine.realms.set(realm.realm, { origin: realm.origin, context, sandbox: realm.sandbox });
      if (!realm.sandbox) engine.topRealm = realm.realm;
    }
    if (o.windowSize) await engine.setWindow('normal', { width: o.windowSize[0], height: o.windowSize[1] }).catch(() => {});
    log(`opened another window (context ${context})`);
    return engine;
  }

  private async listen(): Promise<void> {
    const { bidi } = this;
    /** The first window sets up the session for all; another one only adds its own channel. */
    const first = this.launcher;
    bidi.on('browsingContext.contextCreated', ({ context, parent }) => {
      if (!parent) this.foundContext(context);
    });
    bidi.on('script.realmCreated', (realm) => {
      if (realm.type !== 'window') return;
      const info: RealmInfo = { origin: realm.origin, context: realm.context, sandbox: realm.sandbox };
      this.realms.set(realm.realm, info);
      if (info.context === this.context && !info.sandbox) {
        this.topRealm = realm.realm;
        this.emit('document', { url: this.currentUrl, realm: realm.realm });
      }
    });
    bidi.on('script.realmDestroyed', ({ realm }) => {
      this.realms.delete(realm);
      if (this.topRealm === realm) this.topRealm = undefined;
    });
    bidi.on('script.message', ({ channel, data, source }) => {
      if (channel !== this.channel) return;
      if (data.type !== 'string') return log('dropped a page message that is not a string');
      const from = this.realms.get(source.realm);
      if (!from) return log('dropped a page message from an unknown realm');
      if (data.value.startsWith(DOC_MARK)) {
        // The preload's first message in this document; any later one is not the preload's.
        if (from.doc === undefined) from.doc = data.value.slice(DOC_MARK.length);
        return;
      }
      const topFrame = from.context === this.context && !from.sandbox;
      this.pageMessageHandler(data.value, { origin: from.origin, topFrame, realm: source.realm });
    });
    bidi.on('browsingContext.navigationStarted', ({ context, url }) => {
      if (context === this.context) this.currentUrl = url;
    });
    bidi.on('browsingContext.fragmentNavigated', ({ context, url }) => {
      if (context === this.context) this.currentUrl = url;
    });
    bidi.on('browsingContext.load', ({ context, url }) => {
      if (context === this.context && url !== START_URL) this.emit('load', { url });
    });
    bidi.on('browsingContext.contextDestroyed', ({ context }) => {
      if (context !== this.context) return;
      this.contextGone = true;
      this.markClosed('the window was closed');
    });
    bidi.on('network.beforeRequestSent', (params) => {
      if (!params.isBlocked || !this.owns(params.context)) return;
      if (params.navigation !== null && params.context && !this.context) this.foundContext(params.context);
      if (this.holdingStart && params.navigation !== null && params.context === this.context && !this.heldStart) {
        this.heldStart = params;
        return;
      }
      void this.onRequest(params);
    });
    bidi.onClose((reason) => this.markClosed(reason));
    this.process.exited.then(({ code, signal }) =>
      this.markClosed(`the browser exited (${signal ? `signal ${signal}` : `code ${code}`})`),
    );

    const addChannel = () => bidi.send('script.addPreloadScript', {
      functionDeclaration: `(send) => {
        const doc = String(Math.random()).slice(2) + String(Date.now());
        const define = (name, value, taken) => Object.defineProperty(globalThis, name, { value, configurable: taken, writable: false, enumerable: false });
        // The bootstrap takes (deletes) this one.
        define(${JSON.stringify(this.pageSendName)}, (text) => { send(text); }, true);
        define(${JSON.stringify(this.pageGuardName)}, (text, to) => { if (to === doc) globalThis[${JSON.stringify(this.pageReceiveName)}](text); }, false);
        send(${JSON.stringify(DOC_MARK)} + doc);
      }`,
      arguments: [{ type: 'channel', value: { channel: this.channel } }],
      // The first window's is added before its context is known: it runs in every window, but
      // the messages of other windows' documents are not its own (see script.message above).
      ...(first ? {} : { contexts: [this.context] }),
    });
    if (!first) {
      await addChannel();
      return;
    }
    await Promise.all([
      bidi.send('session.subscribe', {
        events: [
          'script.message', 'script.realmCreated', 'script.realmDestroyed', 'browsingContext.contextCreated',
          'browsingContext.navigationStarted', 'browsingContext.fragmentNavigated', 'browsingContext.load',
          'browsingContext.contextDestroyed', 'network.beforeRequestSent',
        ],
      }),
      // Every request passes through onRequest (served origins, the navigation policy, the held
      // start document); set before the window exists, so the very first request is caught.
      bidi.send('network.addIntercept', { phases: ['beforeRequestSent'] }),
      // The page's way to the backend: a function under a random global name, which the
      // bootstrap (the next preload script) takes and deletes before any page script runs.
      // Also the way in (see postToPage): each document draws an id, tells it to the backend
      // first thing, and takes frames only when they carry it.
      addChannel(),
    ]);
    // The window may not exist yet (getTree then lists nothing): its contextCreated event will come.
    const { contexts } = await bidi.send('browsingContext.getTree', { maxDepth: 0 });
    if (contexts[0]) this.foundContext(contexts[0].context);
    await this.hasContext;
  }

  // ------------------------------------------------------------------ Engine

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  get pid(): number {
    return this.process.pid;
  }

  async addInitScript(source: string): Promise<() => Promise<void>> {
    source = oncePerDocument(source);
    // This window's documents only (and their frames): the browser may have other windows.
    const { script } = await this.bidi.send('script.addPreloadScript', { functionDeclaration: `() => {\n${source}\n}`, contexts: [this.context] });
    // Like Chromium's runImmediately: the document already there gets it too; but not the
    // window's first about:blank while the start page waits to be let through (it is about to be
    // replaced, and Firefox, busy starting that load, takes ~0.3 s to answer there).
    if (this.topRealm && !this.holdingStart) {
      await this.bidi.send('script.evaluate', {
        expression: source, target: { realm: this.topRealm }, awaitPromise: false, resultOwnership: 'none',
      }).catch(() => {});
    }
    return async () => {
      if (!this.closed) await this.bidi.send('script.removePreloadScript', { script });
    };
  }

  async evaluate<T = unknown>(expression: string, opts: { awaitPromise?: boolean } = {}): Promise<T> {
    const result = await this.bidi.send('script.evaluate', {
      expression,
      target: { context: this.context },
      awaitPromise: opts.awaitPromise ?? true,
      resultOwnership: 'none',
      userActivation: true,
    });
    if (result.type === 'exception') {
      const details = result.exceptionDetails;
      const match = /^(\w*): ([\s\S]*)$/.exec(details.text);
      const error = new Error(match ? match[2] : details.text);
      if (match?.[1]) error.name = match[1];
      const frames = details.stackTrace?.callFrames ?? [];
      error.stack = `${error.name}: ${error.message}\n    --- the page's stack ---\n${frames
        .map((f) => `    at ${f.functionName || '<anonymous>'} (${f.url}:${f.lineNumber + 1}:${f.columnNumber + 1})`)
        .join('\n')}`;
      throw error;
    }
    return fromRemoteValue(result.result) as T;
  }

  onPageMessage(handler: (text: string, from: MessageSource) => void): void {
    this.pageMessageHandler = handler;
  }

  /**
   * Calls the page's receive function with one text. Firefox finds a target given as a context
   * much faster than one given as a realm (a round trip ~0.5-1 ms shorter); but a context's
   * document can change under a call in flight, so the text carries the id that the intended
   * document told us, and the document's guard drops it if the id is not its own. Until that
   * id is here, the call targets the realm.
   */
  async postToPage(text: string): Promise<void> {
    const realm = this.topRealm;
    if (!realm) throw new Error('the page has no document to receive messages');
    const doc = this.realms.get(realm)?.doc;
    const [functionDeclaration, target] = doc === undefined
      ? [`(text) => { globalThis[${JSON.stringify(this.pageReceiveName)}](text); }`, { realm }]
      : [this.guardedReceive, { context: this.context }];
    const args: Bidi.Script.LocalValue[] = [{ type: 'string', value: text }];
    if (doc !== undefined) args.push({ type: 'string', value: doc });
    await this.bidi.send('script.callFunction', { functionDeclaration, arguments: args, target, awaitPromise: false, resultOwnership: 'none' });
  }

  async serve(origin: string, handler: (req: ServedRequest) => Promise<ServedResponse>): Promise<void> {
    this.served.set(origin, handler);
  }

  async grantLoopback(origin: string): Promise<boolean> {
    // Firefox 153 does not apply Local Network Access to WebSockets by default, nor to a document
    // we serve (it has no IP address space); granting this one permission to this one origin
    // keeps the channel open where a later version or a pref turns it on, without a prompt.
    try {
      await this.bidi.send('permissions.setPermission', { descriptor: { name: 'loopback-network' }, state: 'granted', origin });
    } catch (error) {
      // A Firefox that does not know the permission has no Local Network Access to pass.
      log('could not grant loopback-network (fine on a Firefox without Local Network Access):', String(error));
    }
    return true;
  }

  async setNavigationPolicy(allow: (nav: NavigationRequest) => boolean): Promise<void> {
    this.navigationPolicy = allow;
  }

  async navigate(url: string): Promise<void> {
    await this.load(url);
  }

  /** navigate(), resolving with BiDi's id of the navigation (none for the start page launched with the browser). */
  private async load(url: string): Promise<string | undefined> {
    this.blocked.delete(url);
    // Launched with this URL (see holdingStart): its held request, or the one still to come, is the load.
    const held = this.heldStart;
    const isStart = this.holdingStart && (held ? held.request.url === url : url === this.startUrl);
    this.holdingStart = false;
    this.heldStart = undefined;
    // Settles once the new document exists (its realm is created), like Chromium's
    // Page.navigate, or fails with the navigation.
    const settled = new Promise<void>((resolve, reject) => {
      const offs = [
        this.bidi.on('script.realmCreated', (realm) => {
          if (realm.type === 'window' && realm.context === this.context && !realm.sandbox && realm.origin !== 'null') done();
        }),
        this.bidi.on('browsingContext.navigationFailed', ({ context, url: failed }) => {
          if (context === this.context) done(this.navigationError(failed ?? url));
        }),
        this.onClose(() => done()),
      ];
      const done = (error?: Error) => {
        offs.forEach((off) => off());
        if (error) reject(error);
        else resolve();
      };
    });
    settled.catch(() => {});
    if (held) void this.onRequest(held);
    if (isStart) {
      // Navigating again now would abort that load (NS_BINDING_ABORTED): wait for it instead.
      const fallback = setTimeout(() => {
        log('the start page did not load; navigating to it');
        this.bidi.send('browsingContext.navigate', { context: this.context, url, wait: 'none' }).catch(() => {});
      }, START_WAIT);
      await settled.finally(() => clearTimeout(fallback));
      return undefined;
    }
    let navigation: string | null;
    try {
      ({ navigation } = await this.bidi.send('browsingContext.navigate', { context: this.context, url, wait: 'none' }));
    } catch (error) {
      throw this.blocked.has(url) ? this.navigationError(url) : new Error(`Could not load ${url}: ${(error as Error).message}`);
    }
    await settled;
    return navigation ?? undefined;
  }

  async reload(ignoreCache = false): Promise<void> {
    // Firefox 153 refuses the ignoreCache argument ("not supported yet"): a plain reload then.
    // (A local app's files come from the backend, never from the HTTP cache, either way.)
    await this.bidi.send('browsingContext.reload', { context: this.context, wait: 'none', ...(ignoreCache ? { ignoreCache } : {}) })
      .catch((error: unknown) => {
        if (!(error instanceof BidiError) || error.code !== 'unsupported operation') throw error;
        return this.bidi.send('browsingContext.reload', { context: this.context, wait: 'none' });
      });
  }

  on<K extends keyof EngineEvents>(event: K, handler: (info: EngineEvents[K]) => void): () => void {
    const set = this.listeners[event] as Set<(info: EngineEvents[K]) => void>;
    set.add(handler);
    return () => set.delete(handler);
  }

  async screenshot(): Promise<Uint8Array> {
    const { data } = await this.bidi.send('browsingContext.captureScreenshot', { context: this.context });
    return Buffer.from(data, 'base64');
  }

  async printToPDF(options: PdfOptions): Promise<Uint8Array> {
    if (options.displayHeaderFooter || options.headerTemplate || options.footerTemplate) {
      warnOnce('firefoxPdfHeader', 'printToPDF: Firefox cannot print header or footer templates; the PDF has none.');
    }
    const cm = (inches: number | undefined, fallback: number) => (inches ?? fallback) * 2.54;
    const { margins = {} } = options;
    const ranges = (options.pageRanges ?? '').split(',').map((part) => part.trim()).filter(Boolean)
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    const { data } = await this.bidi.send('browsingContext.print', {
      context: this.context,
      background: options.printBackground ?? false,
      orientation: options.landscape ? 'landscape' : 'portrait',
      scale: options.scale ?? 1,
      // Chromium applies `scale` as given; Firefox only does so without shrink-to-fit.
      shrinkToFit: false,
      page: { width: cm(options.paperWidth, 8.5), height: cm(options.paperHeight, 11) },
      margin: { top: cm(margins.top, 0.4), bottom: cm(margins.bottom, 0.4), left: cm(margins.left, 0.4), right: cm(margins.right, 0.4) },
      ...(ranges.length ? { pageRanges: ranges } : {}),
    });
    return Buffer.from(data, 'base64');
  }

  /** Window.cdp on Firefox: the CDP methods Gluon apps use, translated to BiDi (cdp-on-bidi.ts). */
  private cdpOnBidiMade: CdpOnBidi | undefined;
  private get cdpOnBidi(): CdpOnBidi {
    return (this.cdpOnBidiMade ??= new CdpOnBidi({
    bidi: this.bidi,
    context: () => this.context,
    currentUrl: () => this.currentUrl,
    navigate: (url) => this.load(url),
    wasBlocked: (url) => this.blocked.has(url),
    reload: (ignoreCache) => this.reload(ignoreCache),
    printToPDF: (options) => this.printToPDF(options),
    browserInfo: async () => ({
      version: this.versions.product, buildId: this.family.buildId, userAgent: String((await this.family.capabilities).userAgent ?? ''),
    }),
    }));
  }

  sendCdp(method: string, params?: object): Promise<unknown> {
    if (method === 'Browser.close') this.process.markClosing(); // no new window opens in it (window/windows.ts)
    return this.cdpOnBidi.send(method, params);
  }

  onCdp(method: string, handler: (message: RawEvent) => void): () => void {
    return this.cdpOnBidi.on(method, handler);
  }

  sendBidi(method: string, params: object = {}): Promise<unknown> {
    if (method === 'browser.close') this.process.markClosing();
    return this.bidi.send(method, params);
  }

  async installExtension(path: string): Promise<void> {
    // A temporary add-on: for this run of the browser, unsigned ones included.
    await this.bidi.send('webExtension.install', { extensionData: { type: 'archivePath', path } });
  }

  async setFrozen(): Promise<void> {
    throw new Error('Firefox cannot freeze a page over WebDriver BiDi (it has no page lifecycle command); sleep() or hibernate() unload the page instead');
  }

  async releaseMemory(): Promise<void> {
    // BiDi has no memory command: the page's memory goes with its document.
  }

  /** The OS window of our browsing context (the first of the browser's: the app has one). */
  private async clientWindow(): Promise<Bidi.Browser.ClientWindowInfo> {
    const { contexts } = await this.bidi.send('browsingContext.getTree', { root: this.context, maxDepth: 0 });
    const { clientWindows } = await this.bidi.send('browser.getClientWindows', {});
    const mine = clientWindows.find((w) => w.clientWindow === contexts[0]?.clientWindow) ?? clientWindows[0];
    if (!mine) throw new Error('the browser has no window');
    return mine;
  }

  async setWindow(state: WindowState, bounds: WindowBounds = {}): Promise<void> {
    const { clientWindow } = await this.clientWindow();
    // Bounds left out are undefined, which the JSON of the command leaves out too.
    const { left: x, top: y, width, height } = state === 'normal' ? bounds : {};
    await this.bidi.send('browser.setClientWindowState', { clientWindow, state, x, y, width, height } as Bidi.Browser.SetClientWindowStateParameters);
  }

  async getWindow(): Promise<WindowInfo> {
    const w = await this.clientWindow();
    return { state: w.state as WindowState, left: w.x, top: w.y, width: w.width, height: w.height };
  }

  onBidi(method: string, handler: (message: RawEvent) => void): () => void {
    return this.bidi.on(method, (params: unknown) => handler({ type: 'event', method, params }));
  }

  close(): Promise<void> {
    // Deferred a microtask, so a close() made by a 'close' listener finds this one under way.
    this.closing ??= Promise.resolve().then(() => this.shutDown());
    return this.closing;
  }

  // ---------------------------------------------------------------- internals

  private onClose(handler: () => void): () => void {
    return this.on('close', handler);
  }

  private navigationError(url: string): Error {
    return this.blocked.has(url)
      ? new Error(`Navigation to ${url} was blocked by the allowNavigation option`)
      : new Error(`Could not load ${url}`);
  }

  private async shutDown(): Promise<void> {
    this.markClosed('the window was closed by the app');
    if (this.family.windows.size > 0 && !this.process.hasExited) {
      // The browser has other windows: only this one goes.
      if (this.contextGone) return;
      const gone = eventOrTimeout<void>((done) => this.bidi.on('browsingContext.contextDestroyed', ({ context }) => context === this.context && done()), CLOSE_WAIT, undefined);
      await this.bidi.send('browsingContext.close', { context: this.context }).catch(() => {});
      return gone;
    }
    if (!this.process.hasExited) {
      // Ask politely (lets Firefox write its profile), then make sure.
      await Promise.race([this.bidi.send('browser.close', {}).catch(() => {}), delay(1000)]);
      this.bidi.close(this.closeReason);
      await Promise.race([this.process.exited, delay(2000)]);
      await this.process.kill(2000);
    } else {
      this.bidi.close(this.closeReason);
    }
    await this.afterExit?.(await this.process.exited).catch((error: unknown) => log('after exit:', String(error)));
  }

  private markClosed(reason: string): void {
    if (this.closeReason) return;
    this.closeReason = reason;
    this.family.windows.delete(this);
    this.topRealm = undefined;
    log('closed:', reason);
    this.emit('close', { reason });
  }

  private emit<K extends keyof EngineEvents>(event: K, info: EngineEvents[K]): void {
    for (const handler of this.listeners[event] as Set<(info: EngineEvents[K]) => void>) {
      try {
        handler(info);
      } catch (error) {
        log(`a ${event} handler threw:`, String((error as Error)?.stack ?? error));
      }
    }
  }

  private async onRequest(params: BidiEvents['network.beforeRequestSent']): Promise<void> {
    const { request } = params;
    const id = request.request;
    const send = (method: string, body: object) =>
      this.bidi.send(method, { request: id, ...body }).catch((error) => log(`${method} failed:`, String(error)));
    try {
      const topFrame = params.context === this.context;
      if (params.navigation !== null && topFrame && this.navigationPolicy && !this.navigationPolicy({ url: request.url, topFrame })) {
        log('blocked a navigation to', request.url);
        this.blocked.add(request.url);
        return void (await send('network.failRequest', {}));
      }
      const handler = this.served.get(safeOrigin(request.url));
      if (!handler) return void (await send('network.continueRequest', {}));
      const headers: Record<string, string> = {};
      for (const { name, value } of request.headers) headers[name] = value.type === 'string' ? value.value : Buffer.from(value.value, 'base64').toString();
      const response = await handler({ method: request.method, url: request.url, headers });
      await send('network.provideResponse', {
        statusCode: response.status,
        reasonPhrase: REASONS[response.status] ?? 'OK',
        headers: Object.entries(response.headers).map(([name, value]) => ({ name, value: { type: 'string', value: String(value) } })),
        body: { type: 'base64', value: Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength).toString('base64') },
      });
    } catch (error) {
      log('request handling failed for', request.url, String(error));
      await send('network.provideResponse', {
        statusCode: 500,
        reasonPhrase: 'Internal Server Error',
        headers: [{ name: 'Content-Type', value: { type: 'string', value: 'text/plain; charset=utf-8' } }],
        body: { type: 'string', value: 'Internal error while serving this file' },
      });
    }
  }
}

const REASONS: Record<number, string> = {
  200: 'OK', 204: 'No Content', 206: 'Partial Content', 304: 'Not Modified', 400: 'Bad Request', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 414: 'URI Too Long', 500: 'Internal Server Error',
};

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
