// Firefox's command line and profile for an app window driven over WebDriver BiDi: the
// remote agent on a port the OS picks (loopback only), a profile whose prefs keep the
// browser quiet (no first-run pages, telemetry, update or safe-browsing traffic) and whose
// userChrome.css hides the browser's own toolbars, so the window shows only the app.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { userDataDir } from './profile.js';

export interface FirefoxArgsOptions {
  profileDir: string;
  headless: boolean;
  extraArgs?: string[];
  /** The page the window opens with (default FIREFOX_START_URL). */
  startUrl?: string;
  /** The app's window class: X11 WM_CLASS's class part (--class), and --name (Wayland's app_id). */
  windowClass?: string;
  /**
   * Lets the remote agent's one session (the backend's) run code in the browser's own windows, to
   * drop the brand from the title (--remote-allow-system-access). Pages get nothing from it.
   */
  systemAccess?: boolean;
}

/**
 * The document Firefox starts on: an empty data: page, not about:blank. On a blank page Firefox
 * gives the keyboard focus to its address bar (browser-init.js's _setInitialFocus), which an app
 * window hides: the app's page, loaded over it later, would then not get the keys until clicked.
 * On any other page Firefox focuses the content.
 */
export const FIREFOX_START_URL = 'data:text/html,';

/** Firefox's command line for an app window. */
export function firefoxArgs(o: FirefoxArgsOptions): string[] {
  const args = ['--remote-debugging-port=0', '--no-remote', '--profile', o.profileDir];
  if (o.headless) args.push('--headless');
  if (o.windowClass) args.push(`--name=${o.windowClass}`, `--class=${o.windowClass}`);
  if (o.systemAccess) args.push('--remote-allow-system-access');
  if (o.extraArgs) args.push(...o.extraArgs);
  args.push(o.startUrl ?? FIREFOX_START_URL);
  return args;
}

/**
 * The application.ini of the Firefox installed at `path`: beside its real executable (Linux,
 * Windows) or in the app bundle's Resources (macOS); undefined if there is none there (a wrapper
 * script, say).
 */
function applicationIni(path: string): { real: string; text?: string } | undefined {
  try {
    const real = realpathSync(path);
    for (const ini of [join(dirname(real), 'application.ini'), join(dirname(real), '..', 'Resources', 'application.ini')]) {
      if (existsSync(ini)) return { real, text: readFileSync(ini, 'utf8') };
    }
    return { real };
  } catch {
    return undefined; // not readable
  }
}

/** The version of the Firefox installed at `path` (its application.ini's); undefined if unknown. */
export function firefoxVersion(path: string): string | undefined {
  return iniValue(applicationIni(path)?.text, 'Version');
}

/** The install's build id (`20260101000000`) from its application.ini, or undefined. */
export function firefoxBuildId(path: string): string | undefined {
  return iniValue(applicationIni(path)?.text, 'BuildID');
}

/**
 * The icon name Firefox gives its windows on Linux: its brand name in lower case ('firefox',
 * 'librewolf'), looked up in the desktop's icon theme before its own icons (widget/gtk's
 * nsWindow::SetIcon). Read from the install's application.ini; 'firefox' if unknown.
 */
export function firefoxIconName(path: string): string {
  return (iniValue(applicationIni(path)?.text, 'Name') ?? 'Firefox').toLowerCase();
}

/**
 * Makes `png` the window icon of the Firefox started with the returned environment: an icon
 * theme folder in the profile (icons/hicolor/scalable/apps/<iconName>.png) put first in
 * XDG_DATA_DIRS, where GTK looks up the window's icon name before the system's (checked on
 * Firefox ESR 153 under Xvfb: _NET_WM_ICON is the PNG, at its own size).
 */
export async function firefoxIconTheme(profileDir: string, iconName: string, png: string, env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const root = join(profileDir, 'gluon-icons');
  const apps = join(root, 'icons', 'hicolor', 'scalable', 'apps');
  await mkdir(apps, { recursive: true });
  await cp(png, join(apps, `${iconName}.png`));
  return { ...env, XDG_DATA_DIRS: [root, env.XDG_DATA_DIRS || '/usr/local/share:/usr/share'].join(':') };
}

function iniValue(text: string | undefined, key: 'Version' | 'BuildID' | 'Name'): string | undefined {
  return text ? new RegExp(`^${key}=(\\S+)$`, 'm').exec(text)?.[1] : undefined;
}

/**
 * The files of a Firefox profile that are start-up caches and registries, not user data: a new
 * profile seeded with them (from a profile that Firefox has started and shut down once) opens
 * its first window sooner and with less work. Besides the script caches and add-on registries,
 * they are the browser's own IndexedDB databases (storage/permanent/chrome: the remote-settings
 * collections Firefox imports from its bundled dumps on a profile's first start, and the empty
 * databases of its internal services), which save about 0.5 CPU-seconds a launch on Firefox
 * ESR 153. A page's storage is under storage/default and is never copied. No cookies, page
 * storage, history, permissions, certificates, keys or prefs are among them.
 */
export const TEMPLATE_FILES = ['startupCache', 'addonStartup.json.lz4', 'extensions.json', 'compatibility.ini', join('storage', 'permanent', 'chrome')] as const;
/** Bumped when TEMPLATE_FILES or the profile we write changes, so older templates go unused. */
const TEMPLATE_FORMAT = 2;

/**
 * Where the start-up caches for new profiles of the Firefox at `path` are kept: one folder per
 * install and build, under the user's own data folder (never a shared temp folder: its
 * contents run as browser code). Undefined if the executable cannot be read.
 */
export function firefoxTemplateDir(path: string, env: Record<string, string | undefined> = process.env): string | undefined {
  const ini = applicationIni(path);
  if (!ini) return undefined;
  try {
    const { mtimeMs, size } = statSync(ini.real);
    const build = iniValue(ini.text, 'BuildID') ?? '';
    const key = createHash('sha256').update([TEMPLATE_FORMAT, ini.real, mtimeMs, size, build].join('\0')).digest('hex').slice(0, 16);
    return join(userDataDir({ env }), 'gluon-ts', 'templates', `firefox-${key}`);
  } catch {
    return undefined;
  }
}

/** A profile Firefox has not started in yet (it writes compatibility.ini on its first start). */
export function isNewFirefoxProfile(dir: string): boolean {
  return !existsSync(join(dir, 'compatibility.ini'));
}

/** Copies the template's start-up caches into a new profile folder; false if there is no template yet. */
export async function seedFirefoxProfile(dir: string, template: string): Promise<boolean> {
  if (!existsSync(template)) return false;
  await mkdir(dir, { recursive: true });
  await Promise.all(TEMPLATE_FILES.map(async (name) => {
    if (!existsSync(join(template, name))) return;
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await cp(join(template, name), join(dir, name), { recursive: true, force: true });
  }));
  return true;
}

/**
 * Keeps the start-up caches of a profile that Firefox just shut down cleanly as the template,
 * unless there is one already. Written aside and renamed into place, so a half-written
 * template is never used and two windows closing together do not mix theirs.
 */
export async function saveFirefoxTemplate(dir: string, template: string): Promise<boolean> {
  if (existsSync(template) || !TEMPLATE_FILES.every((name) => existsSync(join(dir, name)))) return false;
  await mkdir(dirname(template), { recursive: true, mode: 0o700 });
  const staging = `${template}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(staging, { mode: 0o700 });
    await Promise.all(TEMPLATE_FILES.map(async (name) => {
      await mkdir(dirname(join(staging, name)), { recursive: true });
      await cp(join(dir, name), join(staging, name), { recursive: true });
    }));
    await rename(staging, template);
    return true;
  } catch {
    return false; // another window's template got there first, or the disk said no: nothing lost
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export interface FirefoxProfileOptions {
  /** false (default): mixed content blocked; 'mixed' or true: allowed. */
  allowHTTP?: false | 'mixed' | true;
  userAgent?: string;
  /** false: DevTools cannot be opened (the pref Firefox's DisableDeveloperTools policy sets). */
  devtools?: boolean;
  /** [width, height] of the first window (Firefox ignores --width/--height for it; xulstore.json does not). */
  windowSize?: [number, number];
  /** No visible window: the focus stays the remote agent's pretend one (see firefoxPrefs). */
  headless?: boolean;
}

/** Prefs written to user.js on every launch (user.js wins over what the profile saved). */
export function firefoxPrefs(o: FirefoxProfileOptions = {}): Record<string, string | number | boolean> {
  const prefs: Record<string, string | number | boolean> = {
    // The app window: no browser chrome (userChrome.css), no first-run or what's-new pages.
    'toolkit.legacyUserProfileCustomizations.stylesheets': true,
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.page': 0,
    'browser.startup.homepage': 'about:blank',
    'browser.startup.homepage_override.mstone': 'ignore',
    'startup.homepage_welcome_url': 'about:blank',
    'startup.homepage_welcome_url.additional': '',
    'browser.aboutwelcome.enabled': false,
    'browser.newtabpage.enabled': false,
    // Otherwise a hidden, preloaded new-tab page appears as a second top-level context.
    'browser.newtab.preload': false,
    'browser.tabs.warnOnClose': false,
    'browser.sessionstore.resume_from_crash': false,
    'browser.warnOnQuit': false,
    'browser.uitour.enabled': false,
    'browser.translations.automaticallyPopup': false,
    // Nothing phones home.
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'toolkit.telemetry.enabled': false,
    'toolkit.telemetry.unified': false,
    'toolkit.telemetry.archive.enabled': false,
    'app.normandy.enabled': false,
    'app.shield.optoutstudies.enabled': false,
    'app.update.auto': false,
    'app.update.checkInstallTime': false,
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'browser.safebrowsing.downloads.enabled': false,
    'browser.safebrowsing.blockedURIs.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'browser.search.update': false,
    'browser.ping-centre.telemetry': false,
    'browser.newtabpage.activity-stream.feeds.telemetry': false,
    'browser.contentblocking.report.lockwise.enabled': false,
    // Autoplay as in Chromium's app windows.
    'media.autoplay.default': 0,
    'media.autoplay.blocking_policy': 0,
    // A page's beforeunload asks even with no click or key in it first (Window.on('close-requested')
    // is built on that prompt; the Firefox delegate accepts it at once while no one listens).
    'dom.require_user_interaction_for_beforeunload': false,
    // The remote agent turns on the focus manager's test mode unless the profile says otherwise:
    // every window then believes it has the focus, so a visible app window would never hear it
    // lose or gain it (Window.on('focus' | 'blur')). A headless window has no real focus to report.
    'focusmanager.testmode': o.headless === true,
  };
  if (o.allowHTTP === true || o.allowHTTP === 'mixed') {
    prefs['security.mixed_content.block_active_content'] = false;
    prefs['security.mixed_content.block_display_content'] = false;
  } else {
    prefs['security.mixed_content.block_display_content'] = true;
  }
  if (o.userAgent) prefs['general.useragent.override'] = o.userAgent;
  if (o.devtools === false) prefs['devtools.policy.disabled'] = true;
  return prefs;
}

/**
 * Hides the tab strip, navigation bar, bookmarks bar, menu bar, title bar and sidebars of every
 * window: the page starts at the window's top edge (checked on Firefox ESR 153 under Xvfb).
 */
export const APP_WINDOW_CSS = `/* Written by gluon-ts: the window shows only the app. */
#TabsToolbar, #nav-bar, #PersonalToolbar, #titlebar, #toolbar-menubar,
#sidebar-box, #sidebar-main, #sidebar-splitter, #sidebar-launcher-splitter { visibility: collapse !important; }
#navigator-toolbox { border: none !important; }
`;

/** Writes user.js, chrome/userChrome.css and (for a window size) xulstore.json into the profile folder. */
export async function prepareFirefoxProfile(dir: string, o: FirefoxProfileOptions = {}): Promise<void> {
  await mkdir(join(dir, 'chrome'), { recursive: true });
  const prefs = Object.entries(firefoxPrefs(o))
    .map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`)
    .join('\n');
  const writes = [
    writeFile(join(dir, 'user.js'), `// Written by gluon-ts on every launch.\n${prefs}\n`),
    writeFile(join(dir, 'chrome', 'userChrome.css'), APP_WINDOW_CSS),
  ];
  if (o.windowSize) {
    const [width, height] = o.windowSize.map((n) => String(Math.round(n)));
    const store = { 'chrome://browser/content/browser.xhtml': { 'main-window': { width, height, sizemode: 'normal' } } };
    writes.push(writeFile(join(dir, 'xulstore.json'), JSON.stringify(store)));
  }
  await Promise.all(writes);
}
