// A fake browser for the window layer's in-memory tests. fakeBrowser() is the one factory: its
// launch() starts the REAL neutral Browser and Page (src/engine/browser.ts, page.ts) over the
// fakes of fake-engine.ts, with a page delegate that plays a browser window at the protocol
// level: each navigation's document request goes through the Page's interception (refused, the
// navigation fails as aborted), each document runs the window's init scripts in order in a VM
// context of its own (the page's receiver exists once the bootstrap has run) and is a page-side
// IPC endpoint and link talking to the Page through messageReceived / postToPage. The verbs the
// window was asked for, its init scripts and its current document are there for the tests.
import { runInNewContext } from 'node:vm';
import type { FoundBrowser } from '../../src/browser/find.js';
import type { Browser } from '../../src/engine/browser.js';
import type { PageCallbacks, PageDelegate, PageGlobals } from '../../src/engine/delegate.js';
import type { EngineLaunchOptions, Page, ServedResponse } from '../../src/engine/types.js';
import { Endpoint } from '../../src/ipc/endpoint.js';
import { createIpc } from '../../src/ipc/facade.js';
import { Link } from '../../src/ipc/link.js';
import { FakeBrowserDelegate, FakeLauncher, FakePageDelegate, launchFake, type FakeProcess } from './fake-engine.js';

/** One document of a fake window: the page's side of the IPC (as `Gluon.ipc`). */
export interface FakeDocument {
  url: string;
  realm: string;
  endpoint: Endpoint;
  ipc: any;
}

/** The first lines of the Page's once-per-document wrapper (engine/init-script.ts), taken off by `sources`. */
const ONCE_PER_DOCUMENT = /^\(\(\) => \{\n {2}const done = Symbol\.for\(.*\);\n {2}if \(globalThis\[done\]\) return;\n {2}Object\.defineProperty\(globalThis, done, \{ value: true \}\);\n([\s\S]*)\n\}\)\(\);$/;

/** The browser side of fake windows: makes FakeWindows; its quit is how the last window closes. */
class FakeWindowBrowser extends FakeBrowserDelegate {
  /** The window closed last: the browser quitting is its close. */
  lastClosed: FakeWindow | undefined;

  constructor(process: FakeProcess, readonly windows: FakeWindow[], readonly nextRealm: () => string, readonly failServe?: string) {
    super(process);
  }

  override async newPage(callbacks: PageCallbacks, globals: PageGlobals): Promise<PageDelegate> {
    const window = new FakeWindow(this, callbacks, globals);
    this.pages.push(window);
    this.windows.push(window);
    return window;
  }

  override async quit(): Promise<void> {
    this.lastClosed?.calls.push('close');
    await super.quit();
  }
}

/**
 * One window of the fake browser. `calls` names the verbs in the order they came, as the window
 * layer asked them of its Page: 'addInitScript', 'serve' (interception of served origins grew),
 * 'setNavigationPolicy' (top-level navigations intercepted), 'navigate', 'reload', 'close' (this
 * window closed alone, or the browser quit as its last window closed).
 */
export class FakeWindow extends FakePageDelegate {
  /** The current document, once navigate() or reload() made one. */
  document: (FakeDocument & { context: Record<string, unknown> }) | undefined;

  constructor(readonly owner: FakeWindowBrowser, callbacks: PageCallbacks, globals: PageGlobals) {
    super(owner, callbacks, globals);
  }

  /** The Page closed this window (whoever closed it) and dropped its delegate. */
  get closed(): boolean {
    return this.disposed > 0;
  }

  /** The init scripts registered now, in order, as the window layer gave them (the Page's wrapper taken off). */
  get sources(): string[] {
    return [...this.initScripts].map((source) => ONCE_PER_DOCUMENT.exec(source)?.[1] ?? source);
  }

  /** A subresource request to `url`, answered by the Page: the response it was fulfilled with. */
  async fetch(url: string): Promise<ServedResponse> {
    const answer = await this.request(url, { navigation: false });
    if (answer.kind !== 'fulfill') throw new Error(`the Page did not serve ${url} (it said ${answer.kind})`);
    return answer.response;
  }

  /** Whether the Page lets a top-level navigation to `url` through. */
  async allows(url: string): Promise<boolean> {
    return (await this.request(url, { navigation: true })).kind !== 'fail';
  }

  override async evaluate<T = unknown>(expression: string): Promise<T> {
    return (expression === 'location.href' ? this.document?.url : expression === 'document.title' ? 'Fake' : undefined) as T;
  }

  override async postToPage(text: string): Promise<void> {
    const target = this.document;
    setImmediate(() => {
      if (target === this.document && !this.closed) (target?.context[this.globals.receive] as ((text: string) => void) | undefined)?.(text);
    });
  }

  override async setInterception(origins: string[], navigations: boolean): Promise<void> {
    if (origins.length > this.interception.origins.length) {
      this.calls.push('serve');
      if (this.owner.failServe) throw new Error(this.owner.failServe);
    }
    if (navigations && !this.interception.navigations) this.calls.push('setNavigationPolicy');
    this.interception = { origins, navigations };
  }

  override async grantLoopback(): Promise<boolean> {
    return false;
  }

  override async navigate(url: string): Promise<void> {
    if (this.closed) throw new Error('the window is closed');
    await super.navigate(url);
  }

  override async reload(): Promise<void> {
    await super.reload();
    if (this.document) this.commit(this.document.url);
  }

  override async closeWindow(): Promise<void> {
    this.calls.push('close');
    this.windowClosed = true;
  }

  override dispose(): void {
    super.dispose();
    this.owner.lastClosed = this;
    this.document?.endpoint.close('the window was closed');
  }

  /** A new document: committed, its init scripts run in order, its endpoint says hello, then it loads. */
  protected override commit(url: string): void {
    const realm = this.owner.nextRealm();
    const origin = new URL(url).origin;
    const endpoint: Endpoint = new Endpoint({ side: 'page', peer: 'backend', waitForHandler: 1000, post: (frame) => link.post(frame) });
    const link: Link = new Link({
      control: (text) => setImmediate(() => {
        if (this.document === document && !this.closed) this.callbacks.messageReceived(text, { origin, topFrame: true, realm });
      }),
      deliver: (frame) => endpoint.receive(frame),
    });
    const context: Record<string, unknown> = { document: { readyState: 'loading' } };
    const document = { url, realm, endpoint, ipc: createIpc(endpoint, 'page'), context };
    this.document = document;
    this.callbacks.documentCommitted(realm, url);
    for (const source of this.initScripts) {
      // The bootstrap's part is played by `endpoint`: it defines the receiver the scripts after it find.
      if (source.includes('__GLUON_CONFIG__')) {
        context[this.globals.receive] = (text: string) => link.receiveControl(text);
        continue;
      }
      try {
        runInNewContext(source, context);
      } catch {
        // a script for a real DOM (onLoad)
      }
    }
    endpoint.hello();
    setImmediate(() => !this.closed && this.callbacks.loaded(url));
  }
}

export interface FakeBrowser {
  /** What open() calls as launchEngine: a real Browser over the fakes, and its first Page. */
  launch(found: FoundBrowser, options: EngineLaunchOptions): Promise<Page>;
  /** The options of every launch, in order. */
  readonly launches: EngineLaunchOptions[];
  /** The windows opened so far, in every browser launched (closed ones too). */
  readonly windows: FakeWindow[];
  /** Every browser launched has exited. */
  readonly exited: boolean;
  /** Closes every browser launched (and so their windows). */
  close(): Promise<void>;
}

/** A fake browser: `failLaunch` makes launch() fail, `failServe` makes a window's serve() fail. */
export function fakeBrowser(o: { failLaunch?: string; failServe?: string } = {}): FakeBrowser {
  const launches: EngineLaunchOptions[] = [];
  const windows: FakeWindow[] = [];
  const launchers: FakeLauncher<FakeWindowBrowser>[] = [];
  const browsers: Browser[] = [];
  let realms = 0;
  const nextRealm = () => `realm-${++realms}`;
  return {
    launch: async (found, options) => {
      launches.push(options);
      const launcher = new FakeLauncher((process) => new FakeWindowBrowser(process, windows, nextRealm, o.failServe));
      launchers.push(launcher);
      if (o.failLaunch) launcher.connectFails = new Error(o.failLaunch);
      const page = await launchFake(launcher, undefined, { ...options, browser: found });
      browsers.push(page.browser);
      return page;
    },
    launches,
    windows,
    get exited() {
      return launchers.length > 0 && launchers.every((launcher) => launcher.process.hasExited);
    },
    close: async () => void (await Promise.all(browsers.map((browser) => browser.close()))),
  };
}
