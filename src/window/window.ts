// The Window object open() returns: ipc, page, versions, close/closed and events.
// Engine-neutral: everything goes through the Page interface.
import type { FoundBrowser } from '../browser/find.js';
import type { Page, EngineEvents, PdfOptions, RawEvent, WindowBounds } from '../engine/types.js';
import type { IpcConnection } from './connect.js';
import { backendAdditions, createIpc } from '../ipc/facade.js';
import { createIdle, IDLE_ORIGIN, type IdleApi } from './idle.js';
import { createResources, type ResourcesApi } from './resources.js';
import { createV8Cache, type V8CacheApi } from './v8cache.js';
import { createWindowWatcher, isWindowBoundsEvent, type WindowBoundsEvents, type WindowBoundsInfo } from './bounds.js';
import type { BackendCalls, BackendIpc, CallOptions, DefaultIpc, IpcSchema } from '../types/ipc.js';

export interface VersionInfo {
  name: string;
  version: string;
  major: number;
}

export interface PageApi {
  /** Runs a string or a function in the page; awaits promises; rethrows page errors. */
  eval<T = any>(expression: string | (() => T | Promise<T>)): Promise<T>;
  /** Resolves once the first document has loaded. */
  loaded: Promise<void>;
  /** Reads the title, or sets it when given one. */
  title(newTitle?: string): Promise<string>;
  reload(ignoreCache?: boolean): Promise<void>;
  /** PNG bytes of what the window shows. */
  screenshot(): Promise<Uint8Array>;
  /** The page as a PDF (a Buffer), with Gluon's options (Chromium's headless ones; lengths in inches). */
  printToPDF(options?: PdfOptions): Promise<Buffer>;
}

/**
 * What a 'close-requested' handler gets (Electron's BrowserWindow 'close' event): call
 * `preventDefault()` to keep the window open; otherwise the user's close goes on.
 */
export interface CloseRequestedEvent {
  preventDefault(): void;
  /** A handler called preventDefault(). */
  readonly defaultPrevented: boolean;
}

export interface WindowEvents extends WindowBoundsEvents {
  close: { reason: string };
  load: { url: string };
  'close-requested': CloseRequestedEvent;
}

export interface BrowserInfo {
  /** Catalogue id ('chromium', 'chrome_beta', ...) or 'custom'. */
  id: string;
  name: string;
  engine: 'chromium' | 'firefox';
  path: string;
  /** The browser's process id. */
  pid: number;
  /** The browser profile folder of this window (temporary, and deleted on close, with `incognito`). */
  profile: string;
}

/**
 * The Chrome DevTools Protocol, as Gluon's `Window.cdp`. On Chromium, commands and events go
 * straight to the browser. Firefox has no CDP: the methods Gluon apps use are translated to
 * WebDriver BiDi (the README's Firefox section lists them) and any other rejects with an error
 * (code `GLUON_CDP_UNTRANSLATED`) naming it and pointing to {@link Window.bidi}.
 */
export interface CdpApi {
  /** Sends a CDP command to the window's page (or to the browser with useSessionId = false). */
  send(method: string, params?: object, useSessionId?: boolean): Promise<any>;
  /**
   * Calls `handler` with each CDP event named `method` (`{ method, params, sessionId? }`). With
   * `once`, only the first. Returns the unhook. On Firefox, only the translated events; any
   * other throws at once.
   */
  on(method: string, handler: (message: RawEvent) => void, once?: boolean): () => void;
}

/**
 * WebDriver BiDi, raw, for Firefox-family windows: commands go to the window's BiDi session as
 * they are (name the window's browsing context yourself: `browsingContext.getTree` lists it).
 * On Chromium, `send` rejects and `on` throws, saying BiDi is Firefox-only here.
 */
export interface BidiApi {
  /** Sends a BiDi command (e.g. `browsingContext.getTree`) and resolves with its result. */
  send(method: string, params?: object): Promise<any>;
  /**
   * Calls `handler` with each BiDi event named `method` (`{ type: 'event', method, params }`) that
   * the session is subscribed to (`send('session.subscribe', { events: [...] })` first). With
   * `once`, only the first. Returns the unhook.
   */
  on(method: string, handler: (message: RawEvent) => void, once?: boolean): () => void;
}

/** The OS window, as Gluon's `Window.controls`. */
export interface ControlsApi {
  minimize(): Promise<void>;
  /** Maximizes the window (a minimized one stays hidden until show()). */
  maximize(): Promise<void>;
  /** Shows (restores) the window, and moves or resizes it to any of `bounds` given (screen pixels). */
  show(bounds?: WindowBounds): Promise<void>;
  /** Where the OS window is, how big (screen pixels) and its state, as Electron's `getBounds()` plus the state. */
  bounds(): Promise<WindowBoundsInfo>;
  /** Moves or resizes the window to any of `bounds` given (Electron's `setBounds`); a minimized or maximized window becomes normal. */
  setBounds(bounds: WindowBounds): Promise<void>;
  /** Raises the window and gives it the keyboard focus (a minimized one is shown first). */
  focus(): Promise<void>;
}

/** What runs a window: the browser (product), its engine (Chromium or Firefox) and its JavaScript engine (V8 or SpiderMonkey). */
export interface BrowserVersions {
  /** The browser, e.g. `{ name: 'Chrome', version: '131.0.6778.85', major: 131 }`. */
  product: VersionInfo;
  /** Its engine: `chromium` or `firefox`. */
  engine: VersionInfo;
  /** Its JavaScript engine: `v8` or `spidermonkey`. */
  jsEngine: VersionInfo;
}

export interface Window<T extends IpcSchema = DefaultIpc> {
  /**
   * The IPC with the page, as Gluon has it, typed by the app's description `T` (see src/types/ipc.ts):
   * send, on, removeListener, expose, unexpose, store; every other name is an exposed function.
   */
  ipc: BackendIpc<T>;
  /** Calls what the page exposed: `await Window.ipcPage.name(...args)` (gluon-ts's; beside `ipc`, so no app name is taken). */
  ipcPage: BackendCalls<T>['page'];
  /** `send` and `ipcPage`'s calls with a signal and/or a timeout: `Window.ipcWith({ timeout: 1000 }).page.name(...)`. */
  ipcWith(options: CallOptions): BackendCalls<T>;
  /** The Chrome DevTools Protocol: raw on Chromium, its common methods translated on Firefox. */
  cdp: CdpApi;
  /** WebDriver BiDi, raw (Firefox only). */
  bidi: BidiApi;
  /** Which browser runs this window. */
  browser: BrowserInfo;
  page: PageApi;
  /** CSS and JS added to the current page and to every later load (top-level frame only). */
  resources: ResourcesApi;
  /** Minimize, maximize, show and place the OS window. */
  controls: ControlsApi;
  /** Use less while nobody looks: sleep, hibernate, freeze, wake, and auto (hibernate while minimized). */
  idle: IdleApi;
  /** V8's code cache for the page's scripts: build, load, exists (Chromium). */
  v8Cache: V8CacheApi;
  /** The browser (product), its engine and its JavaScript engine, each `{ name, version, major }`. */
  versions: BrowserVersions;
  /** Closes the window, and its browser if it was that browser's last window; resolves when they are gone. */
  close(): Promise<void>;
  readonly closed: boolean;
  /**
   * 'close': the app, the user or a crash closed the window. 'load': a document finished loading.
   * 'close-requested': the user is closing the window (its close button, Alt+F4, Ctrl+W); a handler
   * that calls `event.preventDefault()` keeps it open (Window.close() is never held).
   * 'move', 'resize', 'minimize', 'maximize', 'restore', 'focus', 'blur': the OS window changed,
   * with its `{ left, top, width, height, state }` (read a few times a second while listened to).
   */
  on<K extends keyof WindowEvents>(event: K, handler: (info: WindowEvents[K]) => void): () => void;
}

const isIdlePicture = (url: string) => url.startsWith(`${IDLE_ORIGIN}/`);

/**
 * The 'close-requested' handlers of one window: the Page asks them (its close handler) only while
 * there is one, so a window nobody listens to closes as the browser would.
 */
function closeRequests(engine: Page): (handler: (event: CloseRequestedEvent) => void) => () => void {
  const handlers = new Set<(event: CloseRequestedEvent) => void>();
  const keep = () => {
    let prevented = false;
    const event: CloseRequestedEvent = {
      preventDefault: () => void (prevented = true),
      get defaultPrevented() {
        return prevented;
      },
    };
    for (const handler of [...handlers]) {
      try {
        handler(event);
      } catch (error) {
        process.emitWarning(`Window.on('close-requested') handler threw: ${(error as Error)?.stack ?? error}`, { code: 'GLUON_CLOSE_HANDLER' });
      }
    }
    return prevented;
  };
  return (handler) => {
    const entry = (event: CloseRequestedEvent) => handler(event);
    handlers.add(entry);
    if (handlers.size === 1) void engine.setCloseHandler(keep);
    return () => {
      if (handlers.delete(entry) && handlers.size === 0) void engine.setCloseHandler(undefined);
    };
  };
}

/** Key of a window's internals, for the test suite only. */
export const INTERNALS = Symbol.for('gluon-ts.internals');

function versionInfo(name: string, version: string): VersionInfo {
  return { name, version, major: Number.parseInt(version, 10) || 0 };
}

function bidiOnlyOnFirefox(engine: string): Error {
  return new Error(`Window.bidi speaks WebDriver BiDi, which gluon-ts uses for Firefox-family browsers only; this window runs on ${engine}: use Window.cdp`);
}

/** Window.cdp.on and Window.bidi.on: once, and a throwing handler reported, not fatal. */
function hookProtocol(
  api: 'cdp' | 'bidi', method: string, handler: (message: RawEvent) => void, once: boolean,
  hook: (method: string, handler: (message: RawEvent) => void) => () => void,
): () => void {
  if (typeof method !== 'string' || typeof handler !== 'function') throw new TypeError(`${api}.on(method, handler, once?): method must be a string and handler a function`);
  const unhook = hook(method, (message) => {
    if (once) unhook();
    try {
      handler(message);
    } catch (error) {
      // The app's own handler: said out loud, without breaking the protocol connection.
      process.emitWarning(`Window.${api}.on('${method}') handler threw: ${(error as Error)?.stack ?? error}`, { code: 'GLUON_CDP_HANDLER' });
    }
  });
  return unhook;
}

/** show(bounds) and setBounds(bounds): an object of whole numbers, any of left, top, width, height. */
function checkBounds(method: string, bounds: WindowBounds): void {
  if (typeof bounds !== 'object' || bounds === null) throw new TypeError(`controls.${method}(bounds): bounds must be an object { left, top, width, height }`);
  for (const key of ['left', 'top', 'width', 'height'] as const) {
    const value = bounds[key];
    if (value !== undefined && !Number.isInteger(value)) {
      throw new TypeError(`controls.${method}(bounds): ${key} must be a whole number of pixels, got ${String(value)}`);
    }
  }
}

/** `navigated` settles once the app's first document has replaced the start page. */
export function createWindow(o: {
  engine: Page;
  connection: IpcConnection;
  browser: FoundBrowser;
  profile: string;
  navigated: Promise<void>;
  /** Closes the window: the browser exits and its temporary profile is gone when this resolves. */
  close: () => Promise<void>;
  /** Lets one top-level navigation to `url` through the navigation policy. */
  allowOnce: (url: string) => void;
}): Window {
  const { engine, browser } = o;
  const { endpoint } = o.connection;
  // Page methods act on the app's document, never on the empty start page it replaces.
  const evaluate = async <T>(expression: string) => {
    await o.navigated;
    return engine.evaluate<T>(expression, { awaitPromise: true });
  };
  let markLoaded!: () => void;
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
  engine.on('load', ({ url }) => {
    if (!isIdlePicture(url)) markLoaded();
  });

  const page: PageApi = {
    eval: (expression) => evaluate(typeof expression === 'function' ? `(${expression.toString()})()` : String(expression)),
    loaded,
    title: async (newTitle?: string) => {
      if (typeof newTitle === 'string') {
        await evaluate(`document.title = ${JSON.stringify(newTitle)}`);
        return newTitle;
      }
      return evaluate<string>('document.title');
    },
    reload: async (ignoreCache = false) => {
      await o.navigated;
      await engine.reload(ignoreCache);
    },
    screenshot: async () => {
      await o.navigated;
      return engine.screenshot();
    },
    printToPDF: async (options = {}) => {
      await o.navigated;
      const bytes = await engine.printToPDF({ ...options });
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  };

  const onCloseRequested = closeRequests(engine);
  // Window.on's OS-window events: read from the browser while someone listens (bounds.ts).
  const watcher = createWindowWatcher(engine);
  engine.on('close', () => watcher.stop());

  const window: Window = {
    ipc: createIpc(endpoint, 'backend') as BackendIpc,
    ...backendAdditions(endpoint),
    cdp: {
      send: (method, params, useSessionId = true) => engine.sendCdp(method, params, { browser: !useSessionId }),
      on: (method, handler, once = false) => hookProtocol('cdp', method, handler, once, engine.onCdp.bind(engine)),
    },
    bidi: {
      send: (method, params) => (engine.sendBidi ? engine.sendBidi(method, params) : Promise.reject(bidiOnlyOnFirefox(engine.name))),
      on: (method, handler, once = false) => {
        if (!engine.onBidi) throw bidiOnlyOnFirefox(engine.name);
        return hookProtocol('bidi', method, handler, once, engine.onBidi.bind(engine));
      },
    },
    browser: { id: browser.id, name: browser.name, engine: browser.engine, path: browser.path, pid: engine.pid, profile: o.profile },
    page,
    resources: createResources(engine),
    idle: createIdle(engine, { navigated: o.navigated, allowOnce: o.allowOnce }),
    v8Cache: createV8Cache(engine, { profile: o.profile, navigated: o.navigated }),
    controls: {
      minimize: () => engine.setWindow('minimized'),
      maximize: () => engine.setWindow('maximized'),
      show: async (bounds = {}) => {
        checkBounds('show', bounds);
        await engine.setWindow('normal', bounds);
      },
      bounds: () => engine.getWindow(),
      setBounds: async (bounds) => {
        checkBounds('setBounds', bounds);
        await engine.setWindow('normal', bounds);
      },
      focus: async () => {
        if ((await engine.getWindow()).state === 'minimized') await engine.setWindow('normal');
        await engine.focusWindow();
      },
    },
    versions: {
      product: versionInfo(browser.name, engine.versions.product),
      engine: versionInfo(engine.name, engine.versions.engine),
      jsEngine: versionInfo(engine.versions.jsEngineName, engine.versions.jsEngine),
    },
    close: o.close,
    get closed() {
      return engine.closed;
    },
    // The still picture of a sleeping page (Window.idle) is not one of the app's loads.
    on: (event, handler) => {
      if (event === 'close-requested') return onCloseRequested(handler as (event: CloseRequestedEvent) => void);
      if (isWindowBoundsEvent(event)) return watcher.on(event, handler as (info: WindowBoundsInfo) => void);
      const name = event as keyof EngineEvents;
      return engine.on(name, (info: EngineEvents[typeof name]) => {
        if (name === 'load' && isIdlePicture((info as EngineEvents['load']).url)) return;
        (handler as (info: EngineEvents[typeof name]) => void)(info);
      });
    },
  };
  // Not public API: lets the test suite see which channel IPC uses, and reach the engine.
  Object.defineProperty(window, INTERNALS, { value: { connection: o.connection, engine }, enumerable: false });
  return window;
}
