// The neutral page: one window of a browser, whatever its engine (the Page interface of
// types.ts, which the window layer uses). It owns every rule that is the same on both engines:
// the page's global names, listeners and their emit, the close lifecycle and its reasons, the
// served origins and the navigation decision, init scripts made once per document, and the
// wording of navigation errors. Protocol verbs go to its engine's PageDelegate; what the browser
// does comes back through its `callbacks` (engine/delegate.ts PageCallbacks).
import { randomBytes } from 'node:crypto';
import type { BrowserProcess } from '../browser/process.js';
import { logger } from '../log.js';
import { safeOrigin } from '../origin.js';
import type { Browser } from './browser.js';
import type { InterceptedRequest, PageCallbacks, PageDelegate, PageGlobals } from './delegate.js';
import { oncePerDocument } from './init-script.js';
import type {
  CodeCache, EngineEvents, EngineName, EngineVersions, MessageSource, NavigationRequest, Page as PageApi, PdfOptions, RawEvent, ServedRequest, ServedResponse, WindowBounds, WindowInfo, WindowState,
} from './types.js';

const log = logger('browser');

type Listeners = { [K in keyof EngineEvents]: Set<(info: EngineEvents[K]) => void> };

/** How long after a reload key (F5, Ctrl+R) a leave prompt is taken as that reload's, in ms. */
const RELOAD_KEY_WINDOW = 1000;

/**
 * The page side of the close guard, in every document while Window.on('close-requested') has a
 * handler: its beforeunload listener asks for the leave prompt, except when the page itself is
 * navigating (the Navigation API's navigate event comes first then, on both engines) or the user
 * just pressed a reload key, so a close of the window raises it. `name` arms and disarms it.
 */
export function closeGuardScript(name: string): string {
  return `  let armed = true;
  let navigating = false;
  let reloadKeyAt = -Infinity;
  Object.defineProperty(globalThis, ${JSON.stringify(name)}, { value: (on) => { armed = on; }, configurable: true, enumerable: false });
  globalThis.navigation?.addEventListener('navigate', () => {
    navigating = true;
    setTimeout(() => { navigating = false; });
  });
  // The browser's reload keys reach the page first, then the browser reloads (no navigate event
  // on Firefox, whose prompt does not say what raised it): a prompt soon after one is the reload's.
  addEventListener('keydown', (event) => {
    if (event.key === 'F5' || ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'r')) reloadKeyAt = performance.now();
  }, true);
  addEventListener('beforeunload', (event) => {
    if (armed && !navigating && performance.now() - reloadKeyAt > ${RELOAD_KEY_WINDOW}) event.preventDefault();
  });`;
}

/** Random global names for a new page's channel to its engine. */
export function drawPageGlobals(): PageGlobals {
  return { send: `__gluon_send_${randomBytes(6).toString('hex')}`, receive: `__gluon_receive_${randomBytes(6).toString('hex')}` };
}

export class Page implements PageApi {
  readonly pageSendName: string;
  readonly pageReceiveName: string;
  private delegate: PageDelegate | undefined;
  private readonly listeners: Listeners = { document: new Set(), load: new Set(), close: new Set() };
  private pageMessageHandler: (text: string, from: MessageSource) => void = () => {};
  private readonly served = new Map<string, (req: ServedRequest) => Promise<ServedResponse>>();
  private navigationPolicy: ((nav: NavigationRequest) => boolean) | undefined;
  /** URLs whose navigation the policy refused since the last navigate(), so it can say so. */
  private readonly blocked = new Set<string>();
  private reason: string | undefined;
  private closing: Promise<void> | undefined;
  /** Window.on('close-requested'): asked whether to keep the window when the user closes it. */
  private closeHandler: (() => boolean) | undefined;
  /** Takes the close guard's script off (while the guard is on). */
  private removeCloseGuard: (() => Promise<void>) | undefined;
  /** The page global that arms and disarms the close guard in a document (see closeGuardScript). */
  private readonly closeGuardName = `__gluon_close_${randomBytes(6).toString('hex')}`;
  private closeGuardChanges: Promise<void> = Promise.resolve();
  /** navigate() and reload() calls under way: a leave prompt then is theirs, never the user's close. */
  private ownNavigations = 0;
  sendBidi?: (method: string, params?: object) => Promise<unknown>;
  onBidi?: (method: string, handler: (message: RawEvent) => void) => () => void;

  /** What this page's delegate reports (given to BrowserDelegate.newPage). */
  readonly callbacks: PageCallbacks = {
    documentCommitted: (realm, url) => {
      if (this.removeCloseGuard) this.activate();
      this.emit('document', { url, realm });
    },
    loaded: (url) => this.emit('load', { url }),
    messageReceived: (text, from) => this.pageMessageHandler(text, from),
    requestIntercepted: (request) => void this.decide(request),
    closed: (reason) => this.markClosed(reason),
    browserQuitting: () => this.browser.process.markClosing(),
    closeRequested: (answer) => {
      const allow = this.ownNavigations > 0 || !this.keepOnClose();
      answer(allow).catch((error: unknown) => log('could not answer the close request:', String(error)));
    },
  };

  /** Made by Browser.newPage, which then attaches the delegate its engine made for this page. */
  constructor(readonly browser: Browser, readonly globals: PageGlobals) {
    this.pageSendName = globals.send;
    this.pageReceiveName = globals.receive;
  }

  /** @internal Browser.newPage: the delegate that does this page's protocol verbs. */
  attach(delegate: PageDelegate): void {
    this.delegate = delegate;
    if (delegate.sendBidi) {
      const send = delegate.sendBidi.bind(delegate);
      this.sendBidi = (method, params = {}) => send(method, params);
    }
    if (delegate.onBidi) this.onBidi = delegate.onBidi.bind(delegate);
    if (this.closed) delegate.dispose();
  }

  private get verbs(): PageDelegate {
    if (!this.delegate) throw new Error('the window is not open yet');
    return this.delegate;
  }

  get name(): EngineName {
    return this.browser.name;
  }

  get versions(): EngineVersions {
    return this.browser.versions;
  }

  get pid(): number {
    return this.browser.process.pid;
  }

  get process(): Pick<BrowserProcess, 'exited' | 'hasExited' | 'closing'> {
    return this.browser.process;
  }

  /** Why the window closed, the first reason given (the Browser closes its connection with it). */
  get closeReason(): string | undefined {
    return this.reason;
  }

  get closed(): boolean {
    return this.reason !== undefined;
  }

  get codeCache(): CodeCache | undefined {
    return this.delegate?.codeCache;
  }

  // ------------------------------------------------------------------ Page

  on<K extends keyof EngineEvents>(event: K, handler: (info: EngineEvents[K]) => void): () => void {
    const set = this.listeners[event] as Set<(info: EngineEvents[K]) => void>;
    set.add(handler);
    return () => set.delete(handler);
  }

  onPageMessage(handler: (text: string, from: MessageSource) => void): void {
    this.pageMessageHandler = handler;
  }

  async addInitScript(source: string): Promise<() => Promise<void>> {
    const remove = await this.verbs.addInitScript(oncePerDocument(source));
    return async () => {
      if (!this.closed) await remove();
    };
  }

  evaluate<T = unknown>(expression: string, opts: { awaitPromise?: boolean } = {}): Promise<T> {
    return this.verbs.evaluate<T>(expression, opts.awaitPromise ?? true);
  }

  postToPage(text: string): Promise<void> {
    return this.verbs.postToPage(text);
  }

  async serve(origin: string, handler: (req: ServedRequest) => Promise<ServedResponse>): Promise<void> {
    this.served.set(origin, handler);
    await this.updateInterception();
  }

  grantLoopback(origin: string): Promise<boolean> {
    return this.verbs.grantLoopback(origin);
  }

  async setNavigationPolicy(allow: (nav: NavigationRequest) => boolean): Promise<void> {
    this.navigationPolicy = allow;
    await this.updateInterception();
  }

  async navigate(url: string): Promise<void> {
    this.blocked.clear();
    this.ownNavigations++;
    try {
      await this.verbs.navigate(url);
    } catch (error) {
      // The policy refused this navigation (or where it redirected): the browser only says "aborted".
      if (this.blocked.size) throw new Error(`Navigation to ${url} was blocked by the allowNavigation option`);
      const why = (error as Error)?.message;
      throw new Error(`Could not load ${url}${why ? `: ${why}` : ''}`);
    } finally {
      this.ownNavigations--;
    }
  }

  async reload(ignoreCache = false): Promise<void> {
    this.ownNavigations++;
    try {
      await this.verbs.reload(ignoreCache);
    } finally {
      this.ownNavigations--;
    }
  }

  setCloseHandler(keep: (() => boolean) | undefined): Promise<void> {
    this.closeHandler = keep;
    const on = keep !== undefined;
    this.closeGuardChanges = this.closeGuardChanges
      .then(() => this.applyCloseGuard(on))
      .catch((error: unknown) => log(`could not turn the close guard ${on ? 'on' : 'off'}:`, String(error)));
    return this.closeGuardChanges;
  }

  /** Settles once the last setCloseHandler() applies (for tests: the user's close is then asked about). */
  get closeGuardSettled(): Promise<void> {
    return this.closeGuardChanges;
  }

  screenshot(): Promise<Uint8Array> {
    return this.verbs.screenshot();
  }

  printToPDF(options: PdfOptions): Promise<Uint8Array> {
    return this.verbs.printToPDF(options);
  }

  installExtension(path: string): Promise<void> {
    return this.verbs.installExtension(path);
  }

  setWindow(state: WindowState, bounds: WindowBounds = {}): Promise<void> {
    return this.verbs.setWindow(state, bounds);
  }

  getWindow(): Promise<WindowInfo> {
    return this.verbs.getWindow();
  }

  focusWindow(): Promise<void> {
    return this.verbs.focusWindow();
  }

  windowFocused(): Promise<boolean | undefined> {
    return this.verbs.windowFocused();
  }

  setFrozen(frozen: boolean): Promise<void> {
    return this.verbs.setFrozen(frozen);
  }

  releaseMemory(): Promise<void> {
    return this.verbs.releaseMemory();
  }

  sendCdp(method: string, params?: object, opts: { browser?: boolean } = {}): Promise<unknown> {
    return this.verbs.sendCdp(method, params, opts.browser === true);
  }

  onCdp(method: string, handler: (message: RawEvent) => void): () => void {
    return this.verbs.onCdp(method, handler);
  }

  close(): Promise<void> {
    // Deferred a microtask, so a close() made by a 'close' listener finds this one under way.
    this.closing ??= Promise.resolve().then(() => this.browser.closePage(this, this.delegate));
    return this.closing;
  }

  // ---------------------------------------------------------------- internals

  /**
   * The close guard: a leave prompt the page raises on the user's close (a beforeunload listener
   * in every document, engine-neutral), which the delegate holds and hands to closeRequested.
   */
  private async applyCloseGuard(on: boolean): Promise<void> {
    if (this.closed || on === (this.removeCloseGuard !== undefined)) return;
    const arm = (value: boolean) => this.verbs.evaluate(`globalThis[${JSON.stringify(this.closeGuardName)}]?.(${value}), 0`, false);
    if (on) {
      await this.verbs.setCloseGuard(true);
      this.removeCloseGuard = await this.addInitScript(closeGuardScript(this.closeGuardName));
      await arm(true); // a document that ran an earlier guard script has it disarmed
    } else {
      const remove = this.removeCloseGuard!;
      this.removeCloseGuard = undefined;
      await remove();
      await arm(false);
      await this.verbs.setCloseGuard(false);
    }
  }

  /**
   * Browsers raise a leave prompt only in a document the user has interacted with (sticky
   * activation): each new document gets it from an evaluation that counts as the user's
   * (both delegates' evaluate() do), so a reload does not lose the guard.
   */
  private activate(): void {
    this.delegate?.evaluate('0', false).catch((error: unknown) => log('could not mark the document as used:', String(error)));
  }

  /** Whether the app keeps the window the user is closing (its close handler said so). */
  private keepOnClose(): boolean {
    try {
      return this.closeHandler?.() === true;
    } catch (error) {
      log('the close handler threw:', String((error as Error)?.stack ?? error));
      return false;
    }
  }

  /**
   * Marks the page closed once, with the first reason given: it leaves its browser's windows,
   * its delegate drops what it put on the connection, and the 'close' listeners hear why.
   */
  markClosed(reason: string): void {
    if (this.reason) return;
    this.reason = reason;
    this.browser.forget(this);
    this.delegate?.dispose();
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

  private async updateInterception(): Promise<void> {
    await this.verbs.setInterception([...this.served.keys()], this.navigationPolicy !== undefined);
  }

  /** The navigation decision: the policy first, then the served origins, else through. */
  private async decide(request: InterceptedRequest): Promise<void> {
    const { url } = request;
    const answer = (what: string, act: () => Promise<void>) => act().catch((error: unknown) => log(`could not ${what} ${url}:`, String(error)));
    let response: ServedResponse;
    try {
      if (request.navigation && request.topFrame && this.navigationPolicy && !this.navigationPolicy({ url, topFrame: true })) {
        log('blocked a navigation to', url);
        this.blocked.add(url);
        return await answer('fail', () => request.fail());
      }
      const handler = this.served.get(safeOrigin(url));
      if (!handler) return await answer('continue', () => request.continue());
      response = await handler({ method: request.method, url, headers: request.headers });
    } catch (error) {
      log('request handling failed for', url, String(error));
      response = { status: 500, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from('Internal error while serving this file') };
    }
    await answer('answer', () => request.fulfill(response));
  }
}
