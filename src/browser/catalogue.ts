// The catalogue of browsers gluon-ts knows how to find: ids, friendly names,
// engines and where each one is usually installed on Linux, macOS and Windows.
// Pure data plus name matching; the filesystem probing lives in find.ts.

/** A browser engine gluon-ts drives: Chromium-family browsers over CDP, Firefox-family ones over WebDriver BiDi. */
export type BrowserEngine = 'chromium' | 'firefox';

/** The id of a browser in the catalogue (every id Gluon 0.14 knows is one), for `open()`'s `forceBrowser`. */
export type Browser =
  | 'chrome' | 'chrome_beta' | 'chrome_dev' | 'chrome_canary'
  | 'chromium' | 'chromium_snapshot'
  | 'edge' | 'edge_beta' | 'edge_dev' | 'edge_canary'
  | 'brave' | 'vivaldi' | 'thorium'
  | 'firefox' | 'firefox_esr' | 'firefox_beta' | 'firefox_developer' | 'firefox_nightly'
  | 'librewolf' | 'waterfox' | 'floorp';

export interface CatalogueEntry {
  /** Stable id, used in flags (`--chrome_beta`), GLUON_BROWSER and profile folder names. */
  id: Browser;
  /** Friendly name, e.g. `Chrome Beta`. */
  name: string;
  engine: BrowserEngine;
  /** Other accepted spellings (already normalized: lower case, `_` for spaces and dashes). */
  aliases?: string[];
  linux?: {
    /** Binary names looked up in each PATH directory. */
    bin?: string[];
    /** Absolute paths of well-known installs (/opt, snap). */
    paths?: string[];
    /** Flatpak app ids; their exports live in /var/lib/flatpak and ~/.local/share/flatpak. */
    flatpak?: string[];
  };
  /** Executable inside /Applications or ~/Applications, e.g. `Chromium.app/Contents/MacOS/Chromium`. */
  darwin?: string[];
  win32?: {
    /** Relative to %PROGRAMFILES%, %PROGRAMFILES(X86)% and %LOCALAPPDATA%. */
    rel?: string[];
    /** Relative to the scoop root's `apps` folder (the real executable, not the shim). */
    scoop?: string[];
  };
}

const chromeWin = (dir: string) => `Google\\${dir}\\Application\\chrome.exe`;
const edgeWin = (dir: string) => `Microsoft\\${dir}\\Application\\msedge.exe`;
const mac = (app: string, bin = app) => `${app}.app/Contents/MacOS/${bin}`;

/**
 * Automatic detection walks this list in order: the main Chromium-family browsers,
 * then their pre-release channels, then the Firefox family.
 */
export const CATALOGUE: readonly CatalogueEntry[] = [
  {
    id: 'chrome', name: 'Chrome', engine: 'chromium', aliases: ['google_chrome', 'chrome_stable'],
    linux: {
      bin: ['google-chrome', 'google-chrome-stable'],
      paths: ['/opt/google/chrome/chrome'],
      flatpak: ['com.google.Chrome'],
    },
    darwin: [mac('Google Chrome')],
    win32: { rel: [chromeWin('Chrome')], scoop: ['googlechrome\\current\\chrome.exe'] },
  },
  {
    id: 'chromium', name: 'Chromium', engine: 'chromium',
    linux: {
      bin: ['chromium', 'chromium-browser'],
      paths: ['/snap/bin/chromium'],
      flatpak: ['org.chromium.Chromium'],
    },
    darwin: [mac('Chromium')],
    win32: { rel: ['Chromium\\Application\\chrome.exe'], scoop: ['chromium\\current\\chrome.exe'] },
  },
  {
    id: 'edge', name: 'Edge', engine: 'chromium', aliases: ['microsoft_edge', 'msedge', 'edge_stable'],
    linux: {
      bin: ['microsoft-edge', 'microsoft-edge-stable'],
      paths: ['/opt/microsoft/msedge/msedge'],
      flatpak: ['com.microsoft.Edge'],
    },
    darwin: [mac('Microsoft Edge')],
    win32: { rel: [edgeWin('Edge')] },
  },
  {
    id: 'brave', name: 'Brave', engine: 'chromium', aliases: ['brave_browser'],
    linux: {
      bin: ['brave-browser', 'brave'],
      paths: ['/opt/brave.com/brave/brave', '/snap/bin/brave'],
      flatpak: ['com.brave.Browser'],
    },
    darwin: [mac('Brave Browser')],
    win32: { rel: ['BraveSoftware\\Brave-Browser\\Application\\brave.exe'] },
  },
  {
    id: 'vivaldi', name: 'Vivaldi', engine: 'chromium',
    linux: {
      bin: ['vivaldi', 'vivaldi-stable'],
      paths: ['/opt/vivaldi/vivaldi'],
      flatpak: ['com.vivaldi.Vivaldi'],
    },
    darwin: [mac('Vivaldi')],
    win32: { rel: ['Vivaldi\\Application\\vivaldi.exe'] },
  },
  {
    id: 'thorium', name: 'Thorium', engine: 'chromium',
    linux: { bin: ['thorium-browser', 'thorium'], paths: ['/opt/chromium.org/thorium/thorium'] },
    darwin: [mac('Thorium')],
    win32: { rel: ['Thorium\\Application\\thorium.exe'] },
  },
  {
    id: 'chrome_beta', name: 'Chrome Beta', engine: 'chromium',
    linux: { bin: ['google-chrome-beta'], paths: ['/opt/google/chrome-beta/chrome'] },
    darwin: [mac('Google Chrome Beta')],
    win32: { rel: [chromeWin('Chrome Beta')] },
  },
  {
    id: 'chrome_dev', name: 'Chrome Dev', engine: 'chromium', aliases: ['chrome_unstable'],
    linux: {
      bin: ['google-chrome-unstable'],
      paths: ['/opt/google/chrome-unstable/chrome'],
      flatpak: ['com.google.ChromeDev'],
    },
    darwin: [mac('Google Chrome Dev')],
    win32: { rel: [chromeWin('Chrome Dev')] },
  },
  {
    id: 'chrome_canary', name: 'Chrome Canary', engine: 'chromium',
    linux: { bin: ['google-chrome-canary'], paths: ['/opt/google/chrome-canary/chrome'] },
    darwin: [mac('Google Chrome Canary')],
    win32: { rel: [chromeWin('Chrome SxS')] },
  },
  {
    id: 'chromium_snapshot', name: 'Chromium Snapshot', engine: 'chromium',
    linux: { bin: ['chromium-snapshot', 'chromium-snapshot-bin'] },
  },
  {
    id: 'edge_beta', name: 'Edge Beta', engine: 'chromium',
    linux: { bin: ['microsoft-edge-beta'], paths: ['/opt/microsoft/msedge-beta/msedge'] },
    darwin: [mac('Microsoft Edge Beta')],
    win32: { rel: [edgeWin('Edge Beta')] },
  },
  {
    id: 'edge_dev', name: 'Edge Dev', engine: 'chromium',
    linux: { bin: ['microsoft-edge-dev'], paths: ['/opt/microsoft/msedge-dev/msedge'] },
    darwin: [mac('Microsoft Edge Dev')],
    win32: { rel: [edgeWin('Edge Dev')] },
  },
  {
    id: 'edge_canary', name: 'Edge Canary', engine: 'chromium',
    linux: { bin: ['microsoft-edge-canary'] },
    darwin: [mac('Microsoft Edge Canary')],
    win32: { rel: [edgeWin('Edge SxS')] },
  },
  // Firefox family. ESR comes first: on Debian, /usr/bin/firefox is only a wrapper
  // around firefox-esr, and naming it "Firefox ESR" is the truthful answer there.
  {
    id: 'firefox_esr', name: 'Firefox ESR', engine: 'firefox',
    linux: { bin: ['firefox-esr'], paths: ['/usr/lib/firefox-esr/firefox-esr'] },
  },
  {
    id: 'firefox', name: 'Firefox', engine: 'firefox', aliases: ['mozilla_firefox'],
    linux: {
      bin: ['firefox'],
      paths: ['/usr/lib/firefox/firefox', '/snap/bin/firefox'],
      flatpak: ['org.mozilla.firefox'],
    },
    darwin: [mac('Firefox', 'firefox')],
    win32: { rel: ['Mozilla Firefox\\firefox.exe'], scoop: ['firefox\\current\\firefox.exe'] },
  },
  {
    id: 'firefox_beta', name: 'Firefox Beta', engine: 'firefox',
    linux: { bin: ['firefox-beta'] },
  },
  {
    id: 'firefox_developer', name: 'Firefox Developer Edition', engine: 'firefox',
    aliases: ['firefox_dev', 'firefox_developer_edition'],
    linux: { bin: ['firefox-developer-edition'] },
    darwin: [mac('Firefox Developer Edition', 'firefox')],
    win32: { rel: ['Firefox Developer Edition\\firefox.exe'] },
  },
  {
    id: 'firefox_nightly', name: 'Firefox Nightly', engine: 'firefox',
    linux: { bin: ['firefox-nightly'] },
    darwin: [mac('Firefox Nightly', 'firefox')],
    win32: { rel: ['Firefox Nightly\\firefox.exe'] },
  },
  {
    id: 'librewolf', name: 'LibreWolf', engine: 'firefox',
    linux: { bin: ['librewolf'], flatpak: ['io.gitlab.librewolf-community'] },
    darwin: [mac('LibreWolf', 'librewolf')],
    win32: { rel: ['LibreWolf\\librewolf.exe'] },
  },
  {
    id: 'waterfox', name: 'Waterfox', engine: 'firefox',
    linux: { bin: ['waterfox'], flatpak: ['net.waterfox.waterfox'] },
    darwin: [mac('Waterfox', 'waterfox')],
    win32: { rel: ['Waterfox\\waterfox.exe'] },
  },
  {
    id: 'floorp', name: 'Floorp', engine: 'firefox',
    linux: { bin: ['floorp'], flatpak: ['one.ablaze.floorp'] },
    darwin: [mac('Floorp', 'floorp')],
    win32: { rel: ['Ablaze Floorp\\floorp.exe'] },
  },
];

/** Lower case, spaces and dashes become `_`: `Chrome Beta`, `chrome-beta` -> `chrome_beta`. */
export function normalizeBrowserName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/**
 * The catalogue entries a user-given name stands for, in the order to try them:
 * the entry itself (by id, friendly name or alias), then the rest of its family
 * (`chrome` -> chrome, chrome_beta, chrome_dev, chrome_canary). Empty if unknown.
 */
export function browsersNamed(name: string): CatalogueEntry[] {
  const n = normalizeBrowserName(name);
  if (!n) return [];
  const exact = CATALOGUE.find(
    (b) => b.id === n || normalizeBrowserName(b.name) === n || b.aliases?.includes(n),
  );
  if (!exact) return [];
  return [exact, ...CATALOGUE.filter((b) => b !== exact && b.id.startsWith(exact.id + '_'))];
}

/** Engine of a browser given only by its executable's path. */
export function guessEngine(fileName: string): BrowserEngine {
  return /firefox|librewolf|waterfox|floorp/i.test(fileName) ? 'firefox' : 'chromium';
}
