// The contract between the neutral Browser and Page (engine/browser.ts, engine/page.ts) and the
// per-engine delegates (engine/chromium/, engine/firefox/). As in Playwright's server layer: every
// rule that is the same on both engines lives in the neutral objects; a delegate only speaks its
// protocol, doing the verbs below and reporting what the browser did through PageCallbacks.
// Nothing in this file speaks CDP or BiDi.
import type { BrowserExit, BrowserProcess, SpawnBrowserOptions } from '../browser/process.js';
import type { FoundBrowser } from '../browser/find.js';
import type {
  CodeCache, EngineLaunchOptions, EngineName, EngineVersions, MessageSource, PdfOptions, RawEvent, ServedRequest, ServedResponse, WindowBounds, WindowInfo, WindowState,
} from './types.js';

/** The global names a page's init script uses to talk to its engine (random per window; the Page draws them). */
export interface PageGlobals {
  /** The function the page calls with one text for the backend. */
  send: string;
  /** The function the backend calls in the page with one text. */
  receive: string;
}

/** A request the browser holds for the Page to decide on: let through, fail, or answer. */
export interface InterceptedRequest extends ServedRequest {
  /** From the window's top-level frame. */
  topFrame: boolean;
  /** A document request of a navigation (not a subresource). */
  navigation: boolean;
  continue(): Promise<void>;
  /** Fails the request as aborted (a navigation the policy refused). */
  fail(): Promise<void>;
  fulfill(response: ServedResponse): Promise<void>;
}

/** What a page delegate reports to its Page. Each may be called at any time, from any protocol event. */
export interface PageCallbacks {
  /** A new document in the top-level frame exists (reload, navigation): its realm id, and its URL as far as known. */
  documentCommitted(realm: string, url: string): void;
  /** The top-level document fired `load` (never for the window's blank start document). */
  loaded(url: string): void;
  /** The page sent a text through `PageGlobals.send`, from this realm (as the engine saw it). */
  messageReceived(text: string, from: MessageSource): void;
  /** A request the interception set by `setInterception` caught. The Page answers it through its methods. */
  requestIntercepted(request: InterceptedRequest): void;
  /** The window is gone (closed by the user, by the app, its browser exited or its connection closed). */
  closed(reason: string): void;
  /**
   * The app asked the browser itself to quit through the raw protocol (Window.cdp.send('Browser.close'),
   * Window.bidi.send('browser.close')): no new window may open in it.
   */
  browserQuitting(): void;
  /**
   * The user asked to close the window (its close button, Alt+F4, Ctrl+W) while the close guard
   * is on (PageDelegate.setCloseGuard). The window stays until `answer(true)` lets the close go on
   * (then `closed` follows as for any user close) or `answer(false)` keeps it.
   */
  closeRequested(answer: (allow: boolean) => Promise<void>): void;
}

/** The protocol verbs of one window. Implemented per engine; used only by the neutral Page. */
export interface PageDelegate {
  /**
   * Adds a script run in every later document of this window (and, like Chromium's
   * runImmediately, in the document there now). The source is already made once-per-document
   * by the Page. Resolves with its removal.
   */
  addInitScript(source: string): Promise<() => Promise<void>>;
  /** Evaluates in the top-level document; rejects with the page's error (name, message, the page's stack). */
  evaluate<T = unknown>(expression: string, awaitPromise: boolean): Promise<T>;
  /** Calls the page's `PageGlobals.receive` with one text, in the current top-level document. */
  postToPage(text: string): Promise<void>;
  /**
   * Which requests reach `PageCallbacks.requestIntercepted`: every request to one of `origins`,
   * and, with `navigations`, every top-level document request. An engine that catches every
   * request anyway may ignore this (the Page lets the rest through).
   */
  setInterception(origins: string[], navigations: boolean): Promise<void>;
  /** Lets documents of `origin` reach the loopback address without a prompt; false where it cannot. */
  grantLoopback(origin: string): Promise<boolean>;
  /**
   * Navigates the top-level frame and resolves once the new document exists; rejects with the
   * browser's reason (the Page words the error, knowing which URLs its policy blocked).
   */
  navigate(url: string): Promise<void>;
  reload(ignoreCache: boolean): Promise<void>;
  screenshot(): Promise<Uint8Array>;
  printToPDF(options: PdfOptions): Promise<Uint8Array>;
  installExtension(path: string): Promise<void>;
  setWindow(state: WindowState, bounds: WindowBounds): Promise<void>;
  getWindow(): Promise<WindowInfo>;
  setFrozen(frozen: boolean): Promise<void>;
  releaseMemory(): Promise<void>;
  /** Raises the OS window and gives it the keyboard focus (as far as the window manager lets it). */
  focusWindow(): Promise<void>;
  /**
   * Whether the OS window has the keyboard focus, read where the page's scripts cannot change the
   * answer; undefined where the engine cannot tell (no 'focus'/'blur' events then).
   */
  windowFocused(): Promise<boolean | undefined>;
  readonly codeCache?: CodeCache;
  sendCdp(method: string, params: object | undefined, toBrowser: boolean): Promise<unknown>;
  onCdp(method: string, handler: (message: RawEvent) => void): () => void;
  sendBidi?(method: string, params: object): Promise<unknown>;
  onBidi?(method: string, handler: (message: RawEvent) => void): () => void;
  /**
   * While on, the browser's leave prompt (beforeunload) of this window that is not part of a
   * navigation (the user closing the window) goes to `PageCallbacks.closeRequested` and waits for
   * its answer; one that is part of a navigation is accepted. Off: the engine's default (the Page's
   * own script that raises the prompt is engine-neutral: engine/page.ts).
   */
  setCloseGuard(on: boolean): Promise<void>;
  /** Closes this window only (the browser keeps its others) and resolves once it is gone or a short wait is over. */
  closeWindow(): Promise<void>;
  /**
   * Drops every protocol handler and state this window put on the browser's connection. Called
   * once by the Page when the window is closed; a long-lived browser must not keep them.
   */
  dispose(): void;
}

/** What a browser delegate can do for the whole browser. */
export interface BrowserDelegate {
  readonly versions: EngineVersions;
  /**
   * A page delegate for the window the browser was started with (first call), or for a new
   * window in it (later calls). `callbacks` receive what the browser does in that window.
   */
  newPage(callbacks: PageCallbacks, globals: PageGlobals, options: { windowSize?: [number, number] }): Promise<PageDelegate>;
  /** Asks the browser to quit through the protocol (it may flush its profile); the Browser then makes sure. */
  quit(): Promise<void>;
  /** The browser's protocol connection, as the Browser needs it (engine/connection.ts's ProtocolConnection fits). */
  readonly connection: DelegateConnection;
  /** Run once the browser has exited, before the Browser's close() resolves (Firefox saves its profile template). */
  afterExit?(exit: BrowserExit): Promise<void>;
}

/** What the Browser does with its delegate's protocol connection. */
export interface DelegateConnection {
  /** Closes it; commands still waiting reject with `reason`. */
  close(reason: string): void;
  /** Calls `handler` once if it closes. */
  onClose(handler: (reason: string) => void): unknown;
  /** How many event handlers are on it (for tests: closed windows must leave none). */
  readonly handlerCount: number;
}

/**
 * One engine's part of the launch template (engine/browser.ts runs the template). One object per
 * launch, so prepare() can hand connect() what it learns (Firefox: the agent's address, from stderr).
 */
export interface EngineLauncher {
  readonly name: EngineName;
  /** Makes the profile ready and the command line; nothing is started yet. */
  prepare(options: EngineLaunchOptions & { browser: FoundBrowser }): Promise<{ args: string[]; spawn: SpawnBrowserOptions }>;
  /**
   * Connects to the browser just spawned and returns its delegate (before its first page). The
   * template bounds this with its one launch timeout and turns a failure into its messages.
   */
  connect(proc: BrowserProcess, options: EngineLaunchOptions & { browser: FoundBrowser }): Promise<BrowserDelegate>;
  /** What the browser prints when its profile is locked by another instance. */
  readonly profileInUse: RegExp;
}
