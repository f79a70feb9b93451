// A fake engine for in-memory tests of the neutral Browser and Page (src/engine/browser.ts,
// page.ts) and of the window layer above them: a fake browser process, a BrowserDelegate and
// PageDelegates that record the verbs they are asked for, and a launcher that "spawns" the fake
// process. Tests drive what the browser would do through the helpers (closeByUser, request,
// exit, ...). No browser, no protocol.
import type { ChildProcess } from 'node:child_process';
import type { BrowserExit, BrowserProcess } from '../../src/browser/process.js';
import type { FoundBrowser } from '../../src/browser/find.js';
import { Browser, type BrowserLaunchOptions } from '../../src/engine/browser.js';
import type {
  BrowserDelegate, EngineLauncher, InterceptedRequest, PageCallbacks, PageDelegate, PageGlobals,
} from '../../src/engine/delegate.js';
import type { Page } from '../../src/engine/page.js';
import type { EngineVersions, MessageSource, PdfOptions, RawEvent, ServedResponse, WindowBounds, WindowInfo, WindowState } from '../../src/engine/types.js';

/** A fake browser process; exit() ends it, kill() ends it with SIGTERM. */
export class FakeProcess implements BrowserProcess {
  readonly pid = 4242;
  readonly child = {} as ChildProcess;
  readonly exited: Promise<BrowserExit>;
  hasExited = false;
  closing = false;
  kills = 0;
  stderr = '';
  private resolveExit!: (exit: BrowserExit) => void;

  constructor() {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  markClosing(): void {
    this.closing = true;
  }

  stderrTail(): string {
    return this.stderr;
  }

  exit(exit: BrowserExit = { code: 0, signal: null }): void {
    if (this.hasExited) return;
    this.hasExited = true;
    this.resolveExit(exit);
  }

  async kill(): Promise<void> {
    this.kills++;
    this.exit({ code: null, signal: 'SIGTERM' });
  }

  killNow(): void {
    this.exit({ code: null, signal: 'SIGKILL' });
  }
}

/** What a fake page was answered for an intercepted request. */
export type Answer = { kind: 'continue' } | { kind: 'fail' } | { kind: 'fulfill'; response: ServedResponse };

export class FakePageDelegate implements PageDelegate {
  /** Every verb asked, by name. */
  readonly calls: string[] = [];
  readonly initScripts = new Set<string>();
  interception: { origins: string[]; navigations: boolean } = { origins: [], navigations: false };
  disposed = 0;
  windowClosed = false;
  /** Protocol handlers this page holds on the fake connection (2 while open, as a real page has some). */
  handlers = 2;
  private realm = 0;

  constructor(readonly browser: FakeBrowserDelegate, readonly callbacks: PageCallbacks, readonly globals: PageGlobals) {}

  /** The browser catches a request (when the interception asks for it) and resolves with the Page's answer. */
  request(url: string, o: { navigation?: boolean; topFrame?: boolean; method?: string } = {}): Promise<Answer> {
    return new Promise((resolve) => {
      const request: InterceptedRequest = {
        method: o.method ?? 'GET', url, headers: {}, topFrame: o.topFrame ?? true, navigation: o.navigation ?? false,
        continue: async () => resolve({ kind: 'continue' }),
        fail: async () => resolve({ kind: 'fail' }),
        fulfill: async (response) => resolve({ kind: 'fulfill', response }),
      };
      const caught = this.interception.origins.some((origin) => url.startsWith(`${origin}/`)) || (this.interception.navigations && request.navigation);
      if (!caught) return resolve({ kind: 'continue' });
      this.callbacks.requestIntercepted(request);
    });
  }

  /** The user (or a crash: give its reason) closes this window. */
  closeByUser(reason = 'the window was closed'): void {
    this.windowClosed = true;
    this.callbacks.closed(reason);
  }

  /** The page sends a text to the backend. */
  sendFromPage(text: string, from: MessageSource = { origin: 'https://app.test', topFrame: true, realm: 'r1' }): void {
    this.callbacks.messageReceived(text, from);
  }

  async addInitScript(source: string): Promise<() => Promise<void>> {
    this.calls.push('addInitScript');
    this.initScripts.add(source);
    return async () => void this.initScripts.delete(source);
  }

  async evaluate<T = unknown>(expression: string): Promise<T> {
    this.calls.push('evaluate');
    return expression as T;
  }

  async postToPage(_text: string): Promise<void> {
    this.calls.push('postToPage');
  }

  async setInterception(origins: string[], navigations: boolean): Promise<void> {
    this.calls.push('setInterception');
    this.interception = { origins, navigations };
  }

  async grantLoopback(): Promise<boolean> {
    return true;
  }

  /** A navigation as a browser does it: its document request goes through interception; refused, it fails. */
  async navigate(url: string): Promise<void> {
    this.calls.push('navigate');
    const answer = await this.request(url, { navigation: true, topFrame: true });
    if (answer.kind === 'fail') throw new Error('net::ERR_ABORTED');
    if (answer.kind === 'fulfill' && answer.response.status >= 500) throw new Error(`HTTP ${answer.response.status}`);
    this.commit(url);
  }

  /** The new document of a navigation exists, and loads. */
  protected commit(url: string): void {
    this.callbacks.documentCommitted(`realm-${++this.realm}`, url);
    this.callbacks.loaded(url);
  }

  async reload(): Promise<void> {
    this.calls.push('reload');
  }

  async screenshot(): Promise<Uint8Array> {
    return new Uint8Array();
  }

  async printToPDF(_options: PdfOptions): Promise<Uint8Array> {
    return new Uint8Array();
  }

  async installExtension(): Promise<void> {}

  async setWindow(_state: WindowState, _bounds: WindowBounds): Promise<void> {}

  async getWindow(): Promise<WindowInfo> {
    return { state: 'normal', left: 0, top: 0, width: 800, height: 600 };
  }

  async focusWindow(): Promise<void> {}

  async windowFocused(): Promise<boolean | undefined> {
    return undefined;
  }

  async setFrozen(): Promise<void> {}

  async releaseMemory(): Promise<void> {}

  async sendCdp(method: string): Promise<unknown> {
    if (method === 'Browser.close') this.callbacks.browserQuitting();
    return {};
  }

  onCdp(_method: string, _handler: (message: RawEvent) => void): () => void {
    return () => {};
  }

  /** setCloseGuard: whether the user's close is asked about (userCloses). */
  closeGuard = false;

  async setCloseGuard(on: boolean): Promise<void> {
    this.calls.push(`setCloseGuard(${on})`);
    this.closeGuard = on;
  }

  /**
   * The user closes the window, as a browser does it: with the close guard on, its leave prompt
   * goes to closeRequested and the window closes only if the answer allows it. Resolves with
   * whether it closed.
   */
  async userCloses(): Promise<boolean> {
    const allowed = !this.closeGuard || (await new Promise<boolean>((resolve) => this.callbacks.closeRequested(async (allow) => resolve(allow))));
    if (allowed) this.closeByUser();
    return allowed;
  }

  async closeWindow(): Promise<void> {
    this.calls.push('closeWindow');
    this.windowClosed = true;
  }

  dispose(): void {
    this.disposed++;
    this.handlers = 0;
  }
}

export class FakeBrowserDelegate implements BrowserDelegate {
  readonly versions: EngineVersions = { product: '1.0', engine: '1.0', jsEngine: '1.0', jsEngineName: 'v8' };
  readonly pages: FakePageDelegate[] = [];
  quits = 0;
  disconnected: string | undefined;
  /** quit() makes the fake browser exit (a browser that obeys Browser.close). */
  quitExits = true;
  afterExits = 0;
  private readonly disconnectHandlers = new Set<(reason: string) => void>();

  constructor(readonly process: FakeProcess) {}

  async newPage(callbacks: PageCallbacks, globals: PageGlobals): Promise<PageDelegate> {
    const page = new FakePageDelegate(this, callbacks, globals);
    this.pages.push(page);
    return page;
  }

  async quit(): Promise<void> {
    this.quits++;
    if (this.quitExits) this.process.exit();
  }

  /** The fake's protocol connection: closing it is what the tests read as `disconnected`. */
  readonly connection = ((self: FakeBrowserDelegate) => ({
    close: (reason: string): void => self.disconnect(reason),
    onClose: (handler: (reason: string) => void): void => void self.disconnectHandlers.add(handler),
    get handlerCount(): number {
      return self.pages.reduce((sum, page) => sum + page.handlers, 1);
    },
  }))(this);

  /** The browser drops its connection (as a crash or the browser's own close would). */
  disconnect(reason: string): void {
    if (this.disconnected !== undefined) return;
    this.disconnected = reason;
    for (const handler of this.disconnectHandlers) handler(reason);
  }

  async afterExit(): Promise<void> {
    this.afterExits++;
  }

}

/** A launcher whose connect() gives a FakeBrowserDelegate (or the one `makeDelegate` makes) over the fake process, or fails as told. */
export class FakeLauncher<D extends FakeBrowserDelegate = FakeBrowserDelegate> implements EngineLauncher {
  readonly name = 'chromium' as const;
  readonly profileInUse = /SingletonLock/;
  readonly process = new FakeProcess();
  readonly delegate: D;
  /** connect() never answers (the launch timeout), or throws this. */
  connectFails?: 'hang' | Error;

  constructor(makeDelegate: (process: FakeProcess) => D = (process) => new FakeBrowserDelegate(process) as D) {
    this.delegate = makeDelegate(this.process);
  }

  async prepare() {
    return { args: ['--fake'], spawn: { pipe: false } };
  }

  connect(): Promise<BrowserDelegate> {
    if (this.connectFails === 'hang') return new Promise(() => {});
    if (this.connectFails) return Promise.reject(this.connectFails);
    return Promise.resolve(this.delegate);
  }
}

export const fakeFoundBrowser: FoundBrowser = { id: 'fake', name: 'Fake Browser', engine: 'chromium', path: 'fake-browser' };

/** Launches a neutral Browser over `launcher`'s fakes (with `options`, as open() would give them) and returns its first Page. */
export function launchFake(
  launcher: FakeLauncher<FakeBrowserDelegate> = new FakeLauncher(),
  launchTimeout?: number,
  options: BrowserLaunchOptions = { browser: fakeFoundBrowser, profileDir: '/fake/profile', headless: true },
): Promise<Page> {
  return Browser.launch(launcher, options, { launchTimeout, quitWaits: [10, 10], spawn: () => launcher.process });
}
