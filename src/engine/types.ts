// The engine seam as the layers above see it (window/, api/): the Page interface of one window
// and the types it uses. engine/page.ts and engine/browser.ts implement it over the per-engine
// delegates (engine/delegate.ts). Nothing above this file may speak CDP or BiDi.
import type { BrowserProcess } from '../browser/process.js';

export type EngineName = 'chromium' | 'firefox';

/** Where a page->backend message came from, as the engine saw it (not as the page claims). */
export interface MessageSource {
  /** Origin of the realm that sent the message, e.g. `https://app.gluon.invalid`. */
  origin: string;
  /** True when the sender is the top-level frame's main world. */
  topFrame: boolean;
  /** Opaque id of the realm / document; changes on every reload or navigation. */
  realm: string;
}

/** A request for the app's private origin, handed to `serve()` handlers. */
export interface ServedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export interface ServedResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface NavigationRequest {
  url: string;
  /** True for the top-level frame. Only top-level navigations are offered to the policy. */
  topFrame: boolean;
}

export type WindowState = 'normal' | 'minimized' | 'maximized' | 'fullscreen';

/** Where the OS window is and how big, in screen pixels; any may be left out. */
export interface WindowBounds {
  left?: number;
  top?: number;
  width?: number;
  height?: number;
}

export interface WindowInfo extends Required<WindowBounds> {
  state: WindowState;
}

/** A protocol event as it came: CDP's `{ method, params, sessionId? }`, BiDi's `{ type: 'event', method, params }`. */
export interface RawEvent {
  method: string;
  /** The event's parameters, as the protocol defines them for `method` (typed `any`, as in Gluon). */
  params: any;
  sessionId?: string;
  type?: 'event';
}

/** Who the window belongs to on the desktop (window/identity.ts): each engine gives it to its browser as it can. */
export interface AppIdentity {
  /** The app's name (Firefox's title bar shows it while the page has no title); none found: the browser's. */
  name?: string;
  /** The window class: X11 WM_CLASS (both parts where the engine can), and a .desktop file's StartupWMClass. */
  windowClass?: string;
  /** The window's icon, a PNG file. */
  icon?: { path: string; width: number; height: number };
}

/** What every engine's launch takes (each engine turns it into its browser's flags and prefs). */
export interface EngineLaunchOptions {
  /**
   * The URL the window will load first, with navigate(startUrl). An engine must not let the
   * browser ask for it before its interception is in place (Firefox loads a command line's URL as
   * soon as its window is up: it starts on about:blank instead).
   */
  startUrl?: string;
  profileDir: string;
  /** The profile folder is temporary: delete it too if Node goes away with the browser open. */
  temporaryProfile?: boolean;
  headless: boolean;
  windowSize?: [number, number];
  /** false (default): mixed content blocked; 'mixed' or true: allowed. */
  allowHTTP?: false | 'mixed' | true;
  userAgent?: string;
  devtools?: boolean;
  extraArgs?: string[];
  /** Extensions will be installed (installExtension): the browser is started able to take them. */
  extensions?: boolean;
  /** The app's name, window class and icon; the browser's own where left out. */
  identity?: AppIdentity;
}

export interface EngineVersions {
  /** e.g. `Chrome/156.0.8078.79` split: product version. */
  product: string;
  /** Engine version (for Chromium the same as product). */
  engine: string;
  /** JS engine version. */
  jsEngine: string;
  /** JS engine name. */
  jsEngineName: 'v8' | 'spidermonkey';
}

/** Print options, as Gluon documents them (Chromium's headless options); lengths in inches. */
export interface PdfOptions {
  landscape?: boolean;
  displayHeaderFooter?: boolean;
  printBackground?: boolean;
  /** Scale of the page's rendering, 0.1 to 2. */
  scale?: number;
  /** Paper size in inches (default 8.5 x 11). */
  paperWidth?: number;
  paperHeight?: number;
  /** Margins in inches (default 0.4 each). */
  margins?: { top?: number; bottom?: number; left?: number; right?: number };
  /** One-based pages, e.g. '1-5, 8, 11-13'; '' for all. */
  pageRanges?: string;
  headerTemplate?: string;
  footerTemplate?: string;
  /** Use the page's CSS `@page` size over paperWidth / paperHeight. */
  preferCSSPageSize?: boolean;
}

/** One script's V8 code cache: its URL and the cache data (base64). */
export interface CodeCacheEntry {
  url: string;
  data: string;
}

/** V8's code cache for a window's classic scripts (module scripts get none). */
export interface CodeCache {
  /**
   * Collects cache data for the scripts at `urls` as the window's next documents load them;
   * stop() ends it and returns what was produced so far.
   */
  produce(urls: string[], eager: boolean): { readonly entries: CodeCacheEntry[]; stop(): CodeCacheEntry[] };
  /** Seeds the cache of the window's current document and of every later one with `entries`. */
  seed(entries: CodeCacheEntry[]): Promise<void>;
}

export interface EngineEvents {
  /** A new document in the top-level frame started (reload, navigation). Its realm id. */
  document: { url: string; realm: string };
  /** The top-level document fired `load`. */
  load: { url: string };
  /** The window or the browser is gone. */
  close: { reason: string };
}

/** The browser a page runs in, as the window layer sees it. */
export interface PageBrowser {
  /**
   * Opens another window in this browser (same profile, so cookies and storage are shared),
   * with its own page, init scripts, serving and navigation policy. The browser exits when its
   * last window closes.
   */
  newPage(options?: { windowSize?: [number, number] }): Promise<Page>;
}

/** One window of a browser, whatever its engine. */
export interface Page {
  readonly name: EngineName;
  readonly versions: EngineVersions;
  /** Process id of the browser (it leads a process group with its helpers on POSIX). */
  readonly pid: number;
  /** The browser's OS process, one object for all the windows of one browser: when it has exited. */
  readonly process: Pick<BrowserProcess, 'exited' | 'hasExited' | 'closing'>;
  /** Runs `source` once in the document there now and once in every later one (see init-script.ts). */
  addInitScript(source: string): Promise<() => Promise<void>>;
  /** Evaluates an expression in the top-level page; rejects with the page's error. */
  evaluate<T = unknown>(expression: string, opts?: { awaitPromise?: boolean }): Promise<T>;
  /** Page->backend text messages (sent by the init script through `pageSendName`). */
  onPageMessage(handler: (text: string, from: MessageSource) => void): void;
  /** Backend->page: calls the init script's receiver (`pageReceiveName`) with one text. */
  postToPage(text: string): Promise<void>;
  /** Global names the init script uses to talk to the engine (random per window). */
  readonly pageSendName: string;
  readonly pageReceiveName: string;
  /** Answers every request to `origin` (https://host) with `handler`. */
  serve(origin: string, handler: (req: ServedRequest) => Promise<ServedResponse>): Promise<void>;
  /**
   * Lets documents of `origin` connect to this machine's loopback address (the IPC data
   * channel), without a prompt. Resolves false where the browser cannot grant that.
   */
  grantLoopback(origin: string): Promise<boolean>;
  /** Decides top-level navigations: return false to block one. Resolves once it applies. */
  setNavigationPolicy(allow: (nav: NavigationRequest) => boolean): Promise<void>;
  navigate(url: string): Promise<void>;
  reload(ignoreCache?: boolean): Promise<void>;
  on<K extends keyof EngineEvents>(event: K, handler: (info: EngineEvents[K]) => void): () => void;
  screenshot(): Promise<Uint8Array>;
  /** The page as a PDF document. */
  printToPDF(options: PdfOptions): Promise<Uint8Array>;
  /** Installs an extension (Chromium: an unpacked folder; Firefox: an .xpi file) for later documents. */
  installExtension(path: string): Promise<void>;
  /** The OS window: its state and, for 'normal', any of its bounds (screen pixels). */
  setWindow(state: WindowState, bounds?: WindowBounds): Promise<void>;
  getWindow(): Promise<WindowInfo>;
  /** Raises the OS window and gives it the keyboard focus (as far as the window manager lets it). */
  focusWindow(): Promise<void>;
  /** Whether the OS window has the keyboard focus; undefined where the engine cannot tell. */
  windowFocused(): Promise<boolean | undefined>;
  /**
   * Freezes the page (its timers, tasks and rendering stop; its state stays) or lets it run again.
   * Rejects, saying why, where the browser cannot.
   */
  setFrozen(frozen: boolean): Promise<void>;
  /** V8's code cache (Chromium); undefined where the engine has none. */
  readonly codeCache?: CodeCache;
  /** Asks the browser to drop what memory it can (caches, garbage); nothing where it cannot. */
  releaseMemory(): Promise<void>;
  /**
   * A CDP command (Window.cdp.send): to the page, or to the browser as a whole. Chromium passes it
   * through; an engine without CDP translates the methods it can and rejects the others, naming them.
   */
  sendCdp(method: string, params?: object, opts?: { browser?: boolean }): Promise<unknown>;
  /**
   * Every CDP event named `method` (Window.cdp.on), as CDP words it. Throws for an event the
   * engine cannot give (one that has no CDP and no translation of it).
   */
  onCdp(method: string, handler: (message: RawEvent) => void): () => void;
  /** A WebDriver BiDi command, passed through (Window.bidi.send); only on engines that speak BiDi. */
  sendBidi?(method: string, params?: object): Promise<unknown>;
  /** Every BiDi event named `method` the session is subscribed to (Window.bidi.on), as `{ type: 'event', method, params }`. */
  onBidi?(method: string, handler: (message: RawEvent) => void): () => void;
  /**
   * Asks `keep` whenever the user closes the window (close button, Alt+F4, Ctrl+W): true keeps it
   * open. Undefined (the default): the user's close closes it. Never asked for close() or for
   * the app's navigate()/reload(). Resolves once it applies.
   */
  setCloseHandler(keep: (() => boolean) | undefined): Promise<void>;
  /** The browser this window runs in (Browser.newPage opens another window in it). */
  readonly browser: PageBrowser;
  readonly closed: boolean;
  /** Closes this window; the browser too if it was its last one. */
  close(): Promise<void>;
}
