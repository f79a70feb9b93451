// The Firefox delegate of one window (engine/delegate.ts's PageDelegate): its protocol verbs over
// the browser's WebDriver BiDi session, and what the browser does in it, reported through
// PageCallbacks. Its events come from ffBrowser.ts, which holds the connection's handlers.
//
// Page -> backend: a preload script hands the page a BiDi `channel` function under the Page's
// send name (the page bootstrap takes and deletes it); each call arrives as `script.message`
// naming the realm it came from. Backend -> page: `script.callFunction` in the top-level
// document (see postToPage for the document guard).
import { pageError } from '../page-error.js';
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type * as Bidi from 'webdriver-bidi-protocol';
import { FIREFOX_START_URL } from '../../browser/firefox.js';
import { logger, warnOnce } from '../../log.js';
import { eventOrTimeout } from '../../wait.js';
import { HandlerGroup } from '../connection.js';
import type { InterceptedRequest, PageCallbacks, PageDelegate, PageGlobals } from '../delegate.js';
import type { PdfOptions, RawEvent, ServedResponse, WindowBounds, WindowInfo, WindowState } from '../types.js';
import { BidiError, type BidiEvents } from './bidi.js';
import { CdpOnBidi } from './cdp-on-bidi.js';
import type { FirefoxBrowser } from './ffBrowser.js';
import { fromRemoteValue } from './values.js';

const log = logger('browser');

/** How long closing one window of several waits for the browser to say it is gone. */
const CLOSE_WAIT = 2000;
const START_URL = FIREFOX_START_URL;
/** The preload script's first message in each document: this mark, then the document's id. */
const DOC_MARK = '\u0003gluon-doc:';

/** What a navigate() in flight hears of the window: a new document, a failure, or the window gone. */
type NavigationOutcome = { document: true } | { failed: true } | { gone: true };

export class FirefoxPage implements PageDelegate {
  /** The window's top-level browsing context, known once the window exists. */
  context = '';
  readonly hasContext: Promise<void>;
  private contextFound!: () => void;
  /** The BiDi channel of this window's page -> backend messages. */
  readonly channel = `gluon-${randomBytes(8).toString('hex')}`;
  /** The preload's function that passes a text to the receive global if it is for this document. */
  private readonly guardName = `__gluon_guard_${randomBytes(6).toString('hex')}`;
  private callbacks: PageCallbacks | undefined;
  private globals: PageGlobals = { send: '', receive: '' };
  private topRealm: string | undefined;
  /** The id each document of this window drew in the channel's preload script (see postToPage), by realm. */
  private readonly docs = new Map<string, string>();
  private currentUrl = START_URL;
  /** Top-level navigations the Page refused (failed), so Window.cdp's Page.navigate can say so. */
  private readonly refused = new Set<string>();
  /**
   * The browser's start window still shows the empty page it was launched on (FIREFOX_START_URL), which the first
   * navigate() replaces: init scripts need not run there.
   */
  private startBlank: boolean;
  /**
   * Until the browser's own start-up load has begun in the start window (see waitForStartup): a
   * navigation begun before it would be aborted by it.
   */
  private startedUp: Promise<void> | undefined;
  private readonly navigations = new Set<(outcome: NavigationOutcome) => void>();
  /** Preload scripts this window added: removed when it is disposed. */
  private readonly preloads = new Set<string>();
  /** Handlers Window.cdp.on and Window.bidi.on put on the connection for this window. */
  private readonly appHandlers = new HandlerGroup();
  /** The window is gone (closed, its browser exited or disconnected): the first reason. */
  private goneReason: string | undefined;
  private contextGone = false;
  private disposed = false;
  /** setCloseGuard: leave prompts go to closeRequested. */
  private closeGuard = false;

  constructor(
    private readonly browser: FirefoxBrowser,
    context?: string,
  ) {
    this.startBlank = context === undefined;
    this.hasContext = new Promise((resolve) => (this.contextFound = resolve));
    if (context) this.foundContext(context);
  }

  private get bidi() {
    return this.browser.bidi;
  }

  /** Sets the window's context once: from the tree, a contextCreated event or its first request. */
  foundContext(context: string): void {
    if (this.context) return;
    this.context = context;
    this.contextFound();
  }

  /**
   * Takes the Page's callbacks and globals, and adds the page's way to the backend: a function
   * under the send name, which the bootstrap takes and deletes before any page script runs.
   * Also the way in (see postToPage): each document draws an id, tells it to the backend first
   * thing, and takes frames only when they carry it. The launch window's preload is for every
   * context (it was set up before its context was known, and other windows' documents run it
   * too: their messages on its channel are not its own, see onScriptMessage).
   */
  async attach(callbacks: PageCallbacks, globals: PageGlobals, launchWindow: boolean): Promise<void> {
    this.callbacks = callbacks;
    this.globals = globals;
    const { script } = await this.bidi.send('script.addPreloadScript', {
      functionDeclaration: `(send) => {
        const doc = String(Math.random()).slice(2) + String(Date.now());
        const define = (name, value, taken) => Object.defineProperty(globalThis, name, { value, configurable: taken, writable: false, enumerable: false });
        // The bootstrap takes (deletes) this one.
        define(${JSON.stringify(globals.send)}, (text) => { send(text); }, true);
        define(${JSON.stringify(this.guardName)}, (text, to) => { if (to === doc) globalThis[${JSON.stringify(globals.receive)}](text); }, false);
        send(${JSON.stringify(DOC_MARK)} + doc);
      }`,
      arguments: [{ type: 'channel', value: { channel: this.channel } }],
      ...(launchWindow ? {} : { contexts: [this.context] }),
    });
    this.preloads.add(script);
  }

  /** `153.0` from the window's user agent (`... Firefox/153.0`), or undefined. */
  async userAgentVersion(): Promise<string | undefined> {
    const result = await this.bidi.send('script.evaluate', {
      expression: 'navigator.userAgent', target: { context: this.context }, awaitPromise: false, resultOwnership: 'none',
    }).catch(() => undefined);
    const agent = result?.type === 'success' && result.result.type === 'string' ? result.result.value : '';
    return /(?:Firefox|rv:)\/?([\d.]+)/.exec(agent)?.[1];
  }

  // ------------------------------------------------ events, as ffBrowser.ts passes them on

  /** A realm of the window's document there already (a new window's about:blank). */
  realmFound(realm: Bidi.Script.WindowRealmInfo): void {
    if (realm.context === this.context && !realm.sandbox) this.topRealm = realm.realm;
  }

  onRealmCreated(realm: Bidi.Script.WindowRealmInfo): void {
    if (realm.context !== this.context || realm.sandbox) return;
    this.topRealm = realm.realm;
    this.callbacks?.documentCommitted(realm.realm, this.currentUrl);
    if (realm.origin !== 'null') this.settleNavigations({ document: true });
  }

  onRealmDestroyed(realm: string): void {
    this.docs.delete(realm);
    if (this.topRealm === realm) this.topRealm = undefined;
  }

  onScriptMessage({ data, source }: BidiEvents['script.message']): void {
    if (data.type !== 'string') return log('dropped a page message that is not a string');
    const from = this.browser.realms.get(source.realm);
    if (!from) return log('dropped a page message from an unknown realm');
    const topFrame = from.context === this.context && !from.sandbox;
    if (data.value.startsWith(DOC_MARK)) {
      // The preload's first message in this document; any later one is not the preload's.
      if (topFrame && !this.docs.has(source.realm)) this.docs.set(source.realm, data.value.slice(DOC_MARK.length));
      return;
    }
    this.callbacks?.messageReceived(data.value, { origin: from.origin, topFrame, realm: source.realm });
  }

  onUrlChanged(url: string): void {
    this.currentUrl = url;
  }

  onLoad(url: string): void {
    if (url !== START_URL) this.callbacks?.loaded(url);
  }

  /**
   * The window's leave prompt (beforeunload) opened. BiDi says nothing of why, but the Page's close
   * guard raises it only when the window is closing or the browser reloads it, and the Page accepts
   * those during its own navigate()/reload(). Without the guard, accepted at once, as Firefox does
   * under WebDriver BiDi by default.
   */
  onLeavePrompt(): void {
    const answer = (accept: boolean) => this.bidi.send('browsingContext.handleUserPrompt', { context: this.context, accept }).then(() => {});
    if (this.closeGuard && this.callbacks) this.callbacks.closeRequested(answer);
    else answer(true).catch((error: unknown) => log('could not answer a leave prompt:', String(error)));
  }

  onNavigationFailed(): void {
    this.settleNavigations({ failed: true });
  }

  onContextDestroyed(): void {
    this.contextGone = true;
    this.browser.forget(this);
    this.windowGone('the window was closed');
  }

  private windowGone(reason: string): void {
    if (this.goneReason !== undefined) return;
    this.goneReason = reason;
    this.topRealm = undefined;
    this.settleNavigations({ gone: true });
    if (!this.disposed) this.callbacks?.closed(reason);
  }

  /** Hands a request the browser holds to the Page (or lets it through while there is none). */
  onRequest(params: BidiEvents['network.beforeRequestSent']): void {
    if (params.navigation !== null && params.context && !this.context) this.foundContext(params.context);
    const { request } = params;
    const answer = (method: 'network.continueRequest' | 'network.failRequest' | 'network.provideResponse', body: object = {}) =>
      this.bidi.send(method, { request: request.request, ...body }).then(() => {}, (error: unknown) => log(`${method} failed:`, String(error)));
    if (!this.callbacks) return void answer('network.continueRequest');
    const headers: Record<string, string> = {};
    for (const { name, value } of request.headers) headers[name] = value.type === 'string' ? value.value : Buffer.from(value.value, 'base64').toString();
    const topFrame = params.context === this.context;
    const navigation = params.navigation !== null;
    const intercepted: InterceptedRequest = {
      method: request.method,
      url: request.url,
      headers,
      topFrame,
      navigation,
      continue: () => answer('network.continueRequest'),
      fail: () => {
        if (navigation && topFrame) this.refused.add(request.url);
        return answer('network.failRequest');
      },
      fulfill: (response: ServedResponse) => answer('network.provideResponse', {
        statusCode: response.status,
        reasonPhrase: STATUS_CODES[response.status] ?? 'OK',
        headers: Object.entries(response.headers).map(([name, value]) => ({ name, value: { type: 'string', value: String(value) } })),
        body: { type: 'base64', value: Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength).toString('base64') },
      }),
    };
    this.callbacks.requestIntercepted(intercepted);
  }

  private settleNavigations(outcome: NavigationOutcome): void {
    for (const settle of [...this.navigations]) settle(outcome);
  }

  // ------------------------------------------------------------------ PageDelegate

  async addInitScript(source: string): Promise<() => Promise<void>> {
    // This window's documents only (and their frames): the browser may have other windows.
    const { script } = await this.bidi.send('script.addPreloadScript', { functionDeclaration: `() => {\n${source}\n}`, contexts: [this.context] });
    this.preloads.add(script);
    // Like Chromium's runImmediately: the document already there gets it too; but not the start
    // window's empty start page, which the app's first document is about to replace.
    if (this.topRealm && !this.startBlank) {
      await this.bidi.send('script.evaluate', {
        expression: source, target: { realm: this.topRealm }, awaitPromise: false, resultOwnership: 'none',
      }).catch(() => {});
    }
    return async () => {
      if (!this.preloads.delete(script) || this.goneReason !== undefined) return;
      await this.bidi.send('script.removePreloadScript', { script });
    };
  }

  async evaluate<T = unknown>(expression: string, awaitPromise: boolean): Promise<T> {
    const result = await this.bidi.send('script.evaluate', {
      expression,
      target: { context: this.context },
      awaitPromise,
      resultOwnership: 'none',
      userActivation: true,
    });
    if (result.type === 'exception') {
      const details = result.exceptionDetails;
      const match = /^(\w*): ([\s\S]*)$/.exec(details.text);
      const frames = details.stackTrace?.callFrames ?? [];
      throw pageError(match?.[1], match ? match[2]! : details.text, frames
        .map((f) => `    at ${f.functionName || '<anonymous>'} (${f.url}:${f.lineNumber + 1}:${f.columnNumber + 1})`)
        .join('\n'));
    }
    return fromRemoteValue(result.result) as T;
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
    const doc = this.docs.get(realm);
    const args: Bidi.Script.LocalValue[] = [{ type: 'string', value: text }];
    if (doc !== undefined) args.push({ type: 'string', value: doc });
    const [functionDeclaration, target] = doc === undefined
      ? [`(text) => { globalThis[${JSON.stringify(this.globals.receive)}](text); }`, { realm }]
      : [`(text, doc) => { globalThis[${JSON.stringify(this.guardName)}](text, doc); }`, { context: this.context }];
    await this.bidi.send('script.callFunction', { functionDeclaration, arguments: args, target, awaitPromise: false, resultOwnership: 'none' });
  }

  async setInterception(): Promise<void> {
    // Every request is caught already (ffBrowser.ts's network.addIntercept): nothing to change.
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

  async navigate(url: string): Promise<void> {
    await this.load(url);
  }

  /**
   * The first navigate() waits for `startedUp`: Firefox loads its command line's URL (FIREFOX_START_URL,
   * see ffLauncher.ts) in its first window's delayed start-up, and that load aborts
   * (NS_BINDING_ABORTED) a navigation begun before it (seen when the backend was quick).
   */
  waitForStartup(startedUp: Promise<void>): void {
    this.startedUp = startedUp;
  }

  /** navigate(), resolving with BiDi's id of the navigation. */
  private async load(url: string): Promise<string | undefined> {
    this.refused.delete(url);
    this.startBlank = false;
    const startedUp = this.startedUp;
    this.startedUp = undefined;
    if (startedUp) await startedUp;
    // Settles once the new document exists (its realm is created), like Chromium's
    // Page.navigate, or fails with the navigation.
    const settled = new Promise<void>((resolve, reject) => {
      const settle = (outcome: NavigationOutcome) => {
        this.navigations.delete(settle);
        // BiDi says no more than that it failed: the Page's own words ("Could not load ...") stand alone.
        if ('failed' in outcome) reject(new Error(''));
        else resolve();
      };
      this.navigations.add(settle);
      if (this.goneReason !== undefined) settle({ gone: true });
    });
    settled.catch(() => {});
    const { navigation } = await this.bidi.send('browsingContext.navigate', { context: this.context, url, wait: 'none' });
    await settled;
    return navigation ?? undefined;
  }

  async reload(ignoreCache: boolean): Promise<void> {
    // Firefox 153 refuses the ignoreCache argument ("not supported yet"): a plain reload then.
    // (A local app's files come from the backend, never from the HTTP cache, either way.)
    await this.bidi.send('browsingContext.reload', { context: this.context, wait: 'none', ...(ignoreCache ? { ignoreCache } : {}) })
      .catch((error: unknown) => {
        if (!(error instanceof BidiError) || error.code !== 'unsupported operation') throw error;
        return this.bidi.send('browsingContext.reload', { context: this.context, wait: 'none' });
      });
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

  async installExtension(path: string): Promise<void> {
    // A temporary add-on: for this run of the browser, unsigned ones included.
    await this.bidi.send('webExtension.install', { extensionData: { type: 'archivePath', path } });
  }

  /** The id of our browsing context's OS window, once known (it does not change). */
  private clientWindowId: string | undefined;
  /** The OS window of our browsing context (the first of the browser's: the app has one). */
  private async clientWindow(): Promise<Bidi.Browser.ClientWindowInfo> {
    // One round trip once the id is known (each costs up to ~40 ms here: Window.on polls this).
    if (this.clientWindowId) {
      const { clientWindows } = await this.bidi.send('browser.getClientWindows', {});
      const known = clientWindows.find((w) => w.clientWindow === this.clientWindowId);
      if (known) return known;
    }
    const { contexts } = await this.bidi.send('browsingContext.getTree', { root: this.context, maxDepth: 0 });
    const { clientWindows } = await this.bidi.send('browser.getClientWindows', {});
    const mine = clientWindows.find((w) => w.clientWindow === contexts[0]?.clientWindow) ?? clientWindows[0];
    if (!mine) throw new Error('the browser has no window');
    if (contexts[0]?.clientWindow) this.clientWindowId = contexts[0].clientWindow;
    return mine;
  }

  async focusWindow(): Promise<void> {
    await this.bidi.send('browsingContext.activate', { context: this.context });
  }

  /**
   * `document.hasFocus()` in a sandbox of the current document (the page's scripts cannot replace
   * it there). True to the OS window only with the focus manager's test mode off, which the
   * profile of a visible window asks for (browser/firefox.ts); a headless window always says true.
   */
  async windowFocused(): Promise<boolean | undefined> {
    const reply = await this.bidi.send('script.evaluate', { expression: 'document.hasFocus()', target: { context: this.context, sandbox: 'gluon-window' }, awaitPromise: false });
    if (reply.type !== 'success') return undefined;
    const value = reply.result;
    return value.type === 'boolean' ? value.value : undefined;
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

  async setFrozen(): Promise<void> {
    throw new Error('Firefox cannot freeze a page over WebDriver BiDi (it has no page lifecycle command); sleep() or hibernate() unload the page instead');
  }

  async releaseMemory(): Promise<void> {
    // BiDi has no memory command: the page's memory goes with its document.
  }

  /** Window.cdp on Firefox: the CDP methods Gluon apps use, translated to BiDi (cdp-on-bidi.ts). */
  private cdpOnBidiMade: CdpOnBidi | undefined;
  private get cdpOnBidi(): CdpOnBidi {
    return (this.cdpOnBidiMade ??= new CdpOnBidi({
      bidi: this.bidi,
      context: () => this.context,
      currentUrl: () => this.currentUrl,
      navigate: (url) => this.load(url),
      wasBlocked: (url) => this.refused.has(url),
      reload: (ignoreCache) => this.reload(ignoreCache),
      printToPDF: (options) => this.printToPDF(options),
      browserInfo: async () => ({
        version: this.browser.versions.product, buildId: this.browser.buildId, userAgent: String((await this.browser.capabilities).userAgent ?? ''),
      }),
    }));
  }

  sendCdp(method: string, params: object | undefined): Promise<unknown> {
    if (method === 'Browser.close') this.callbacks?.browserQuitting();
    return this.cdpOnBidi.send(method, params);
  }

  onCdp(method: string, handler: (message: RawEvent) => void): () => void {
    return this.appHandlers.add(this.cdpOnBidi.on(method, handler));
  }

  sendBidi(method: string, params: object = {}): Promise<unknown> {
    if (method === 'browser.close') this.callbacks?.browserQuitting();
    return this.bidi.send(method, params);
  }

  onBidi(method: string, handler: (message: RawEvent) => void): () => void {
    return this.appHandlers.add(this.bidi.on(method, (params: unknown) => handler({ type: 'event', method, params })));
  }

  async setCloseGuard(on: boolean): Promise<void> {
    this.closeGuard = on;
  }

  async closeWindow(): Promise<void> {
    if (this.contextGone) return;
    // The Page has disposed of this window already: the browser's word that it is gone is awaited here.
    const gone = eventOrTimeout<void>((done) => this.bidi.on('browsingContext.contextDestroyed', ({ context }) => {
      if (context === this.context) done();
    }), CLOSE_WAIT, undefined);
    await this.bidi.send('browsingContext.close', { context: this.context }).catch(() => {});
    return gone;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.browser.forget(this);
    this.windowGone('the window was closed');
    this.appHandlers.dispose();
    // Preload scripts outlive their window's context in the session: let them go with it.
    if (!this.bidi.closed) for (const script of this.preloads) this.bidi.send('script.removePreloadScript', { script }).catch(() => {});
    this.preloads.clear();
    this.docs.clear();
  }
}
