// The Firefox delegate of one browser (engine/delegate.ts's BrowserDelegate): one WebDriver BiDi
// session on the remote agent's loopback WebSocket, shared by every window of the browser.
//
// The session is set up once: its subscriptions, one network intercept that catches every
// request, and one handler per event on the connection, which hands each event to the window it
// is about (by browsing context, by channel, or by the window a frame belongs to). A window puts
// no handler of its own on the connection, so a long-lived browser keeps none of closed windows.
import type * as Bidi from 'webdriver-bidi-protocol';
import { FIREFOX_START_URL, firefoxBuildId, firefoxVersion } from '../../browser/firefox.js';
import type { FoundBrowser } from '../../browser/find.js';
import type { BrowserExit } from '../../browser/process.js';
import { logger } from '../../log.js';
import type { BrowserDelegate, PageCallbacks, PageGlobals } from '../delegate.js';
import type { EngineVersions } from '../types.js';
import type { BidiConnection } from './bidi.js';
import { FirefoxPage } from './ffPage.js';

const log = logger('browser');

/** The session's events, asked for once for every window. */
const EVENTS = [
  'script.message', 'script.realmCreated', 'script.realmDestroyed', 'browsingContext.contextCreated',
  'browsingContext.navigationStarted', 'browsingContext.fragmentNavigated', 'browsingContext.load',
  'browsingContext.contextDestroyed', 'network.beforeRequestSent', 'browsingContext.userPromptOpened',
];

/** What the browser knows of a realm (a document's or a sandbox's global). */
export interface RealmInfo {
  origin: string;
  context: string;
  sandbox?: string;
}

export class FirefoxBrowser implements BrowserDelegate {
  versions: EngineVersions = { product: '', engine: '', jsEngine: '', jsEngineName: 'spidermonkey' };
  /** Run once the browser has exited (set by the launcher when the profile becomes a template). */
  afterExit: ((exit: BrowserExit) => Promise<void>) | undefined;
  /** Every realm of every window, by id. */
  readonly realms = new Map<string, RealmInfo>();
  /** The open windows, oldest first. */
  private readonly pages = new Set<FirefoxPage>();
  /** The parent of each browsing context that has one (frames). */
  private readonly parents = new Map<string, string>();
  /** The window the browser was started with, until newPage hands it out. */
  private launchPage: FirefoxPage | undefined;

  private constructor(
    readonly bidi: BidiConnection,
    /** The session's capabilities (its user agent: Browser.getVersion on Window.cdp). */
    readonly capabilities: Promise<Record<string, unknown>>,
    /** The install's build id, or ''. */
    readonly buildId: string,
  ) {}

  /**
   * Starts the session. Firefox answers session.new only once its idle start-up tasks are over
   * (a second or more), but runs the commands sent behind it at once: so they are all sent
   * together, and nothing waits for that answer. The version comes from the install's
   * application.ini, else from the user agent (major.minor), else from the session.
   */
  static async start(bidi: BidiConnection, browser: FoundBrowser): Promise<FirefoxBrowser> {
    // A leave prompt (beforeunload) waits for an answer (FirefoxPage.onUserPrompt gives it) instead
    // of BiDi's default of accepting it at once: that is how the user's close can be held.
    const session = bidi.send('session.new', { capabilities: { alwaysMatch: { unhandledPromptBehavior: { beforeUnload: 'ignore' } } } });
    session.catch(() => {});
    const capabilities = session.then(({ capabilities: c }) => c as Record<string, unknown>);
    capabilities.catch(() => {});
    const ff = new FirefoxBrowser(bidi, capabilities, firefoxBuildId(browser.path) ?? '');
    const first = (ff.launchPage = new FirefoxPage(ff));
    ff.pages.add(first);
    ff.listen();
    const startupLoad = ff.startupLoadBegun();
    await Promise.all([
      bidi.send('session.subscribe', { events: EVENTS }),
      // Every request passes through one window's requestIntercepted (served origins, the
      // navigation policy).
      bidi.send('network.addIntercept', { phases: ['beforeRequestSent'] }),
    ]);
    // The window may not exist yet (getTree then lists nothing): its contextCreated event will come.
    const { contexts } = await bidi.send('browsingContext.getTree', { maxDepth: 0 });
    if (contexts[0]) first.foundContext(contexts[0].context);
    await first.hasContext;
    // The app's first document is asked for (navigate()) once Firefox's own start-up load has
    // begun: its `navigationStarted` event says so or, when that came before the session
    // subscribed, the answer to session.new, which Firefox gives only after the first window's
    // idle start-up tasks (WebDriverBiDi.sys.mjs waits for browser-idle-startup-tasks-finished),
    // queued after that load began (browser-init.js's _delayedStartup).
    first.waitForStartup(Promise.race([session.then(() => {}, () => {}), startupLoad]));
    const version = firefoxVersion(browser.path) ?? (await first.userAgentVersion()) ?? String((await capabilities).browserVersion ?? '');
    // SpiderMonkey is versioned with Firefox.
    ff.versions = { product: version, engine: version, jsEngine: version, jsEngineName: 'spidermonkey' };
    log(`attached to ${browser.name} ${version} (context ${first.context})`);
    return ff;
  }

  /**
   * Resolves once Firefox's own load of its command line's URL (FIREFOX_START_URL) in its first
   * window has begun: a navigation begun after it replaces it, one begun before it was aborted by
   * it. Its `load` event would come much later: Firefox holds that document until its start-up's
   * idle tasks are done, which is also when it answers session.new (about 0.5 s after the load
   * began, Firefox ESR 153).
   */
  private startupLoadBegun(): Promise<void> {
    return new Promise((resolve) => {
      const offs = (['browsingContext.navigationStarted', 'browsingContext.load'] as const).map((event) =>
        this.bidi.on(event, ({ url }) => {
          if (url !== FIREFOX_START_URL) return;
          for (const off of offs) off();
          resolve();
        }));
      this.capabilities.finally(() => {
        for (const off of offs) off();
      }).catch(() => {});
    });
  }

  /** The connection's one handler per event, each passing it to the window it is about. */
  private listen(): void {
    const { bidi } = this;
    bidi.on('browsingContext.contextCreated', ({ context, parent }) => {
      if (parent) this.parents.set(context, parent);
      else this.launchPage?.foundContext(context); // the first window, if it does not know its own yet
    });
    bidi.on('browsingContext.contextDestroyed', ({ context }) => {
      this.parents.delete(context);
      for (const [id, realm] of this.realms) if (realm.context === context) this.realms.delete(id);
      this.byContext(context)?.onContextDestroyed();
    });
    bidi.on('script.realmCreated', (realm) => {
      if (realm.type !== 'window') return;
      this.realms.set(realm.realm, { origin: realm.origin, context: realm.context, sandbox: realm.sandbox });
      this.byContext(realm.context)?.onRealmCreated(realm);
    });
    bidi.on('script.realmDestroyed', ({ realm }) => {
      const info = this.realms.get(realm);
      this.realms.delete(realm);
      if (info) this.byContext(info.context)?.onRealmDestroyed(realm);
    });
    bidi.on('script.message', (message) => {
      for (const page of this.pages) if (page.channel === message.channel) return page.onScriptMessage(message);
    });
    bidi.on('browsingContext.navigationStarted', ({ context, url }) => this.byContext(context)?.onUrlChanged(url));
    bidi.on('browsingContext.fragmentNavigated', ({ context, url }) => this.byContext(context)?.onUrlChanged(url));
    bidi.on('browsingContext.load', ({ context, url }) => this.byContext(context)?.onLoad(url));
    bidi.on('browsingContext.userPromptOpened', (prompt) => {
      if (prompt.type !== 'beforeunload') return;
      const page = this.byContext(prompt.context);
      if (page) page.onLeavePrompt();
      else bidi.send('browsingContext.handleUserPrompt', { context: prompt.context, accept: true }).catch(() => {});
    });
    bidi.on('browsingContext.navigationFailed', ({ context }) => this.byContext(context)?.onNavigationFailed());
    bidi.on('network.beforeRequestSent', (params) => {
      if (!params.isBlocked) return;
      const page = this.owner(params.context);
      if (page) page.onRequest(params);
      else bidi.send('network.continueRequest', { request: params.request.request }).catch(() => {});
    });
  }

  private byContext(context: string): FirefoxPage | undefined {
    for (const page of this.pages) if (page.context === context) return page;
    return undefined;
  }

  /**
   * The window a request from `context` is for: its window's own, including its frames'; one
   * from no window (a worker, say) goes to the oldest open window, as does every request while
   * the first window does not know its context yet.
   */
  private owner(context: string | null | undefined): FirefoxPage | undefined {
    const [oldest] = this.pages;
    if (oldest && !oldest.context) return oldest;
    let top = context ?? undefined;
    for (let parent = top && this.parents.get(top); parent; parent = this.parents.get(parent)) top = parent;
    return (top !== undefined ? this.byContext(top) : undefined) ?? oldest;
  }

  /** The window receives no more events (it is gone, or disposed). */
  forget(page: FirefoxPage): void {
    this.pages.delete(page);
  }

  async newPage(callbacks: PageCallbacks, globals: PageGlobals, options: { windowSize?: [number, number] }): Promise<FirefoxPage> {
    const first = this.launchPage;
    if (first) {
      this.launchPage = undefined;
      await first.attach(callbacks, globals, true);
      return first;
    }
    if (this.bidi.closed) throw new Error('the browser of this window is closed');
    // Another window in this browser: a new top-level context with its own channel and scripts.
    const { context } = await this.bidi.send('browsingContext.create', { type: 'window' });
    const page = new FirefoxPage(this, context);
    this.pages.add(page);
    await page.attach(callbacks, globals, false);
    // Its document there now (about:blank) is the realm until the app's own.
    const { realms } = await this.bidi.send('script.getRealms', { context, type: 'window' });
    for (const realm of realms as Bidi.Script.WindowRealmInfo[]) {
      this.realms.set(realm.realm, { origin: realm.origin, context, sandbox: realm.sandbox });
      page.realmFound(realm);
    }
    if (options.windowSize) await page.setWindow('normal', { width: options.windowSize[0], height: options.windowSize[1] }).catch(() => {});
    log(`opened another window (context ${context})`);
    return page;
  }

  /**
   * Firefox's title bar says "<page title> — Mozilla Firefox": the browser window's own code
   * (tabbrowser's getWindowTitleForBrowser) adds the brand from its own strings, which no pref
   * or profile file reaches. With system access (firefoxArgs' systemAccess), this replaces that
   * function in each browser window, the ones opened later too, so the title is the page's
   * title alone, or `name` while the page has none. Runs in the browser's own windows, over the
   * backend's session only: pages see nothing of it.
   */
  async titleWithoutBrand(name: string): Promise<void> {
    const { contexts } = await this.bidi.send('browsingContext.getTree', { maxDepth: 0, 'moz:scope': 'chrome' } as Bidi.BrowsingContext.GetTreeParameters);
    const chrome = contexts.find((context) => context.url === 'chrome://browser/content/browser.xhtml');
    if (!chrome) throw new Error('no browser window found');
    const result = await this.bidi.send('script.evaluate', { target: { context: chrome.context }, expression: titleScript(name), awaitPromise: false });
    if (result.type === 'exception') throw new Error(result.exceptionDetails.text);
  }

  /** The Browser closes it and hears it close. */
  get connection(): BidiConnection {
    return this.bidi;
  }

  async quit(): Promise<void> {
    // Lets Firefox write its profile before it goes.
    await this.bidi.send('browser.close', {}).catch((error: unknown) => log('browser.close:', String(error)));
  }

}

/** titleWithoutBrand's code, run in a browser window (its globals: gBrowser, Services). */
function titleScript(name: string): string {
  return `(() => {
  const name = ${JSON.stringify(name)};
  const own = (win) => {
    const tabs = win.gBrowser;
    if (!tabs || tabs.gluonTitle) return;
    tabs.gluonTitle = true;
    tabs.getWindowTitleForBrowser = (browser) => {
      const tab = tabs.getTabForBrowser(browser);
      return (tab && tab._labelIsContentTitle && tab.getAttribute('label').replace(/\\0/g, '')) || name;
    };
    tabs.updateTitlebar();
  };
  own(window);
  Services.obs.addObserver((win) => own(win), 'browser-delayed-startup-finished');
})()`;
}
