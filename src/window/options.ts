// open()'s options, checked in one place: resolveOpenOptions() turns the app's url and options
// into an OpenPlan, every default filled in and every refusal and warning given here, before a
// browser is looked for. Engine-neutral; reads nothing of the process it is not handed.
import { DEFAULT_CSP, cspAllowsDataChannel, resolveLocalTarget } from '../local/serve.js';
import { warnOnce } from '../log.js';
import { codeOf, onDomReady } from './resources.js';
import { appName as builtAppName } from '../assets.js';
import { resolveIdentity, type ResolvedIdentity } from './identity.js';
import { checkWindowStateKey } from './window-state.js';

/** The private origin local apps are served under. `.invalid` can never resolve to a real host (RFC 2606). */
export const APP_ORIGIN = 'https://app.gluon.invalid';

export interface OpenOptions {
  /** Use this browser (catalogue id such as 'chrome', 'edge', 'chromium', or an absolute path). */
  forceBrowser?: string;
  /** Only consider browsers of this engine. */
  forceEngine?: 'chromium' | 'firefox';
  /** Window size in CSS pixels, [width, height]. */
  windowSize?: [number, number];
  /** false (default): http:// refused; 'mixed': allowed for subresources only; true: allowed. */
  allowHTTP?: false | 'mixed' | true;
  /** Top-level navigation: false (only the opened URL), 'same-origin' (default), true (anywhere). */
  allowNavigation?: false | 'same-origin' | true;
  /** Content-Security-Policy for local apps; '' sends none. */
  localCSP?: string;
  /** DevTools in the window (default true). */
  devtools?: boolean;
  userAgent?: string;
  /** Use a fresh temporary profile, removed when the window closes. */
  incognito?: boolean;
  /** No visible window. Defaults to GLUON_HEADLESS=1 in the environment. */
  headless?: boolean;
  /** Where browser profiles for this app live (default: the platform's per-user data folder). */
  dataPath?: string;
  /**
   * How long (ms) a backend call or event waits for the page to be there and, until the page's
   * `load`, for a listener or function its scripts have not added yet. Default 5000. Once up, a
   * side answers at once: an event nobody listens for with `null`, a call of a function not
   * exposed with a ReferenceError.
   */
  ipcWait?: number;
  /** Extra browser command-line arguments. */
  browserArgs?: string[];
  /**
   * Local apps: carry IPC over a token-authenticated WebSocket on 127.0.0.1 once the page is up
   * (about twice as fast as the browser protocol, ten times for large payloads). Default true;
   * false keeps every message on the browser protocol and opens no port.
   */
  loopbackIPC?: boolean;
  /**
   * Code run in the page after each load (the first one, reloads, navigations), in the top-level
   * frame, once its DOM is parsed and with `window.Gluon` there: a function (sent as its source,
   * so it cannot use the backend's variables) or a string.
   */
  onLoad?: (() => unknown) | string;
  /**
   * Share the store with the other windows opened with `shareStore: true` in this process: the
   * window starts with their entries, and a change to any of their stores, by the backend or by
   * a page, is made to all.
   */
  shareStore?: boolean;
  /**
   * The app's name: the window's class on the desktop (X11 WM_CLASS, which taskbars group by and
   * a .desktop file's StartupWMClass matches) and the name of its profile folder. Default: the
   * `name` of the app's package.json (the nearest above the app's entry script).
   */
  name?: string;
  /**
   * The window's icon: the path of a PNG file (absolute, or relative to the calling module's
   * folder). Default: the package.json's `"gluon": { "icon": ... }`, else the browser's choice (on
   * Chromium the page's own favicon).
   */
  icon?: string;
  /**
   * Remember this window's place, size and maximized state under this name (e.g. 'main') in the
   * app's data folder, and open it that way next time (moved onto the screen if it would be off it).
   * Each window of an app that should be remembered apart gets its own name.
   */
  windowState?: string;
}

/** What resolveOpenOptions reads besides the options: handed in, so tests can set it. */
export interface OpenEnvironment {
  /** The folder a local url is resolved from (the calling module's). Called before any await: it may read the stack. */
  baseDir: () => string;
  platform: NodeJS.Platform;
  /** The environment variables (GLUON_HEADLESS, DISPLAY, WAYLAND_DISPLAY). */
  vars: Record<string, string | undefined>;
  /** The folder of the app's entry script (process.argv[1]'s), where its package.json is looked for first. */
  entryDir?: string;
}

/** Everything open() does, decided: the options with their defaults, and where the app comes from. */
export interface OpenPlan {
  baseDir: string;
  headless: boolean;
  allowHTTP: false | 'mixed' | true;
  allowNavigation: false | 'same-origin' | true;
  /** The local app's Content-Security-Policy ('' for none). */
  localCSP: string;
  ipcWait: number;
  /** The onLoad init script's source, run once the DOM is parsed. */
  onLoad?: string;
  /** The URL the window loads: the url given, or the local app's entry under APP_ORIGIN. */
  startUrl: string;
  /** The origin whose top-level documents may use the IPC. */
  ipcOrigin: string;
  /** A local app: the folder served under APP_ORIGIN and its entry file. */
  served?: { root: string; entry: string };
  /** A local app whose CSP lets it reach the loopback data channel, and loopbackIPC not false. */
  dataChannel: boolean;
  incognito: boolean;
  shareStore: boolean;
  forceBrowser?: string;
  forceEngine?: 'chromium' | 'firefox';
  windowSize?: [number, number];
  userAgent?: string;
  devtools?: boolean;
  browserArgs?: string[];
  dataPath?: string;
  /** The app's name, window class and icon, when it has a name or an icon. */
  identity?: ResolvedIdentity;
  /** The key the window's state is remembered under (windowState). */
  windowState?: string;
}

/**
 * Checks open()'s url and options and fills in the defaults, in the order the refusals were
 * always given: the url's type, onLoad, http://, the display; warns once about each unsafe
 * choice; then finds a local app's folder and entry (which may refuse the path).
 */
export async function resolveOpenOptions(url: string, options: OpenOptions, env: OpenEnvironment): Promise<OpenPlan> {
  // '' is the calling module's own folder, as in Gluon (its index.html is the entry).
  if (typeof url !== 'string') throw new TypeError(`open(url): url must be a URL or a path, got ${typeof url}`);
  const baseDir = env.baseDir();
  const allowHTTP = options.allowHTTP ?? false;
  const allowNavigation = options.allowNavigation ?? 'same-origin';
  const localCSP = options.localCSP ?? DEFAULT_CSP;
  const onLoad = options.onLoad === undefined ? undefined : onDomReady(codeOf(options.onLoad, 'open(url, { onLoad })'));
  const identity = resolveIdentity({ name: options.name, icon: options.icon, baseDir, entryDir: env.entryDir, built: { name: builtAppName } });
  const windowState = checkWindowStateKey(options.windowState);

  if (/^http:\/\//i.test(url) && allowHTTP !== true) {
    throw new Error(
      `Refusing to open ${url}: http:// URLs are blocked by default because anything on the network path could ` +
        `inject code that talks to your backend. Use https://, or pass { allowHTTP: true } if you really must (e.g. a local dev server).`,
    );
  }
  if (allowHTTP === true) warnOnce('allowHTTP', 'Gluon.open: allowHTTP is true: pages loaded over http:// can call your exposed functions. Use https:// where you can.');
  if (allowNavigation === true) warnOnce('allowNavigation', 'Gluon.open: allowNavigation is true: the window may navigate to any site (only the opened origin can use IPC).');
  if (localCSP === '') warnOnce('localCSP', "Gluon.open: localCSP is '': the local app runs with no Content-Security-Policy.");

  const headless = options.headless ?? /^(1|true|yes)$/i.test(env.vars.GLUON_HEADLESS ?? '');
  if (!headless && env.platform === 'linux' && !env.vars.DISPLAY && !env.vars.WAYLAND_DISPLAY) {
    throw new Error(
      'Cannot open a window: there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set). ' +
        'Run the app on a desktop session, under a virtual display (xvfb-run -a node app.js), ' +
        'or headless with GLUON_HEADLESS=1 or open(url, { headless: true }).',
    );
  }

  // A URL has a scheme of two or more letters; `C:\apps\ui` (one letter) is a Windows path.
  const served = /^[a-z][a-z0-9+.-]+:/i.test(url) ? undefined : await resolveLocalTarget(url, baseDir);
  const startUrl = served ? APP_ORIGIN + served.entryPath : url;
  return {
    baseDir,
    headless,
    allowHTTP,
    allowNavigation,
    localCSP,
    ipcWait: options.ipcWait ?? 5000,
    onLoad,
    startUrl,
    ipcOrigin: new URL(startUrl).origin,
    served: served && { root: served.root, entry: served.entry },
    dataChannel: served !== undefined && options.loopbackIPC !== false && cspAllowsDataChannel(localCSP),
    incognito: Boolean(options.incognito),
    shareStore: Boolean(options.shareStore),
    forceBrowser: options.forceBrowser,
    forceEngine: options.forceEngine,
    windowSize: options.windowSize,
    userAgent: options.userAgent,
    devtools: options.devtools,
    browserArgs: options.browserArgs,
    dataPath: options.dataPath,
    identity,
    windowState,
  };
}
