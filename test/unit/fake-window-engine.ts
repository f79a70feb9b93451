// A fake browser for the window layer's in-memory tests: fakeBrowser() is the one factory, and
// its launch() gives Engines (src/engine/types.ts) that speak no protocol. Each document of a
// fake window is a page-side IPC endpoint and link, as the page bootstrap makes them; the
// window's init scripts other than that bootstrap (the store snapshot, onLoad) run in a small
// VM context when a document starts. Served requests, the navigation policy and the order of
// the engine calls are there for the tests to look at.
import { runInNewContext } from 'node:vm';
import type { FoundBrowser } from '../../src/browser/find.js';
import type { BrowserExit } from '../../src/browser/process.js';
import type { Engine, EngineEvents, EngineLaunchOptions, NavigationRequest, ServedRequest, ServedResponse } from '../../src/engine/types.js';
import { Endpoint } from '../../src/ipc/endpoint.js';
import { createIpc } from '../../src/ipc/facade.js';
import { Link } from '../../src/ipc/link.js';

export const FAKE_FOUND: FoundBrowser = { id: 'fake', name: 'Fake Browser', engine: 'chromium', path: '/fake/browser' };

/** One document of a fake window: the page's side of the IPC (as `Gluon.ipc`). */
export interface FakeDocument {
  url: string;
  realm: string;
  endpoint: Endpoint;
  ipc: any;
}

export interface FakeWindow extends Engine {
  /** Engine calls in the order they came: 'addInitScript', 'serve', 'setNavigationPolicy', 'navigate', 'close', ... */
  readonly calls: string[];
  /** The init scripts registered now, in order. */
  readonly initScripts: string[];
  /** The current document, once navigate() or reload() made one. */
  readonly document: FakeDocument | undefined;
  /** A request to a served origin, answered by the window's serve() handler. */
  request(url: string): Promise<ServedResponse>;
  /** The navigation policy's answer for a top-level navigation to `url`. */
  allows(url: string): boolean;
  /** The browser (the user, a crash) closes this window, saying why. */
  closeFromBrowser(reason: string): void;
}

export interface FakeBrowser {
  /** What open() calls as launchEngine. */
  launch(found: FoundBrowser, options: EngineLaunchOptions): Promise<Engine>;
  /** The options of every launch, in order. */
  readonly launches: EngineLaunchOptions[];
  /** The windows opened so far (closed ones too). */
  readonly windows: FakeWindow[];
  readonly exited: boolean;
}

/** A fake browser: `failLaunch` makes launch() fail, `failServe` makes a window's serve() fail. */
export function fakeBrowser(o: { failLaunch?: string; failServe?: string } = {}): FakeBrowser {
  const launches: EngineLaunchOptions[] = [];
  const windows: FakeWindow[] = [];
  let exit!: () => void;
  let hasExited = false;
  const process = {
    exited: new Promise<BrowserExit>((resolve) => (exit = () => {
      hasExited = true;
      resolve({ code: 0, signal: null });
    })),
    get hasExited() {
      return hasExited;
    },
    closing: false,
  };
  let nextRealm = 1;

  const openWindow = (): FakeWindow => {
    const handlers = { document: new Set<(info: any) => void>(), load: new Set<(info: any) => void>(), close: new Set<(info: any) => void>() };
    const emit = <K extends keyof EngineEvents>(event: K, info: EngineEvents[K]) => {
      for (const handler of [...handlers[event]]) handler(info);
    };
    const pageHandlers = new Set<(text: string, from: { origin: string; topFrame: boolean; realm: string }) => void>();
    const initScripts: { source: string }[] = [];
    const served = new Map<string, (req: ServedRequest) => Promise<ServedResponse>>();
    const calls: string[] = [];
    let policy: ((nav: NavigationRequest) => boolean) | undefined;
    let current: (FakeDocument & { link: Link }) | undefined;
    let closed = false;
    let closing: Promise<void> | undefined;
    const sendName = `send${windows.length}`;
    const receiveName = `receive${windows.length}`;

    const startDocument = (url: string) => {
      const realm = `realm-${nextRealm++}`;
      const origin = new URL(url).origin;
      const endpoint: Endpoint = new Endpoint({ side: 'page', peer: 'backend', waitForHandler: 1000, post: (frame) => link.post(frame) });
      const link: Link = new Link({
        control: (text) => setImmediate(() => {
          if (current?.realm === realm && !closed) for (const handler of pageHandlers) handler(text, { origin, topFrame: true, realm });
        }),
        deliver: (frame) => endpoint.receive(frame),
      });
      current = { url, realm, endpoint, ipc: createIpc(endpoint, 'page'), link };
      emit('document', { url, realm });
      // The init scripts run in order, as a browser runs them; the bootstrap's part is played by
      // `endpoint`, whose receiver the scripts after the bootstrap find.
      const page: Record<string, unknown> = { document: { readyState: 'loading' } };
      for (const { source } of initScripts) {
        if (source.includes('__GLUON_CONFIG__')) {
          page[receiveName] = (text: string) => link.receiveControl(text);
          continue;
        }
        try {
          runInNewContext(source, page);
        } catch {
          // a script for a real DOM (onLoad)
        }
      }
      endpoint.hello();
      setImmediate(() => !closed && emit('load', { url }));
    };

    const markClosed = (reason: string) => {
      if (closed) return;
      closed = true;
      current?.endpoint.close(reason);
      emit('close', { reason });
      if (windows.every((window) => window.closed)) exit();
    };

    const window: FakeWindow = {
      name: 'chromium',
      versions: { product: '1.0', engine: '1.0', jsEngine: '1.0', jsEngineName: 'v8' },
      pid: 4242,
      process,
      pageSendName: sendName,
      pageReceiveName: receiveName,
      calls,
      get initScripts() {
        return initScripts.map(({ source }) => source);
      },
      get document() {
        return current;
      },
      get closed() {
        return closed;
      },
      addInitScript: async (source) => {
        calls.push('addInitScript');
        const entry = { source };
        initScripts.push(entry);
        return async () => {
          const index = initScripts.indexOf(entry);
          if (index !== -1) initScripts.splice(index, 1);
        };
      },
      evaluate: async <T>(expression: string) => (expression === 'location.href' ? current?.url : expression === 'document.title' ? 'Fake' : undefined) as T,
      onPageMessage: (handler) => void pageHandlers.add(handler),
      postToPage: async (text) => {
        const target = current;
        setImmediate(() => {
          if (target === current && !closed) target?.link.receiveControl(text);
        });
      },
      serve: async (origin, handler) => {
        calls.push('serve');
        if (o.failServe) throw new Error(o.failServe);
        served.set(origin, handler);
      },
      grantLoopback: async () => false,
      setNavigationPolicy: async (allow) => {
        calls.push('setNavigationPolicy');
        policy = allow;
      },
      navigate: async (url) => {
        calls.push('navigate');
        if (closed) throw new Error('the window is closed');
        if (policy && !policy({ url, topFrame: true })) throw new Error(`navigation to ${url} blocked`);
        startDocument(url);
      },
      reload: async () => {
        calls.push('reload');
        if (current) startDocument(current.url);
      },
      on: (event, handler) => {
        handlers[event].add(handler as (info: any) => void);
        return () => void handlers[event].delete(handler as (info: any) => void);
      },
      screenshot: async () => new Uint8Array(),
      printToPDF: async () => new Uint8Array(),
      installExtension: async () => void calls.push('installExtension'),
      setWindow: async () => {},
      getWindow: async () => ({ state: 'normal', left: 0, top: 0, width: 800, height: 600 }),
      setFrozen: async () => {},
      releaseMemory: async () => {},
      sendCdp: async (method) => {
        throw new Error(`no CDP in the fake (${method})`);
      },
      onCdp: (method) => {
        throw new Error(`no CDP in the fake (${method})`);
      },
      browser: {
        newPage: async () => {
          if (hasExited) throw new Error('the browser has exited');
          return openWindow();
        },
      },
      // As the real engines: deferred a microtask, so a close() made by a 'close' listener finds this one under way.
      close: () => (closing ??= Promise.resolve().then(() => {
        calls.push('close');
        markClosed('the window was closed by the app');
      })),
      request: async (url) => {
        const handler = served.get(new URL(url).origin);
        if (!handler) throw new Error(`nothing serves ${url}`);
        return handler({ method: 'GET', url, headers: {} });
      },
      allows: (url) => {
        if (!policy) throw new Error('no navigation policy');
        return policy({ url, topFrame: true });
      },
      closeFromBrowser: (reason) => markClosed(reason),
    };
    windows.push(window);
    return window;
  };

  return {
    launch: async (_found, options) => {
      launches.push(options);
      if (o.failLaunch) throw new Error(o.failLaunch);
      return openWindow();
    },
    launches,
    windows,
    get exited() {
      return hasExited;
    },
  };
}
