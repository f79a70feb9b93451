// Which browser the bench drives, and the command-line switches every side gets so the
// three columns run the same browser the same way: found by name on PATH (or the
// BENCH_BROWSER environment variable: a name on PATH or a path), headless, and quiet
// on the network. As root, Chromium refuses to start sandboxed, hence --no-sandbox.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** Chromium-family executables, most likely first. */
const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome', 'microsoft-edge', 'brave-browser'];

function executable(path) {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** The browser to bench with: { name, path } or throws with what was searched. */
export function findBenchBrowser() {
  const wanted = process.env.BENCH_BROWSER;
  if (wanted) {
    const path = isAbsolute(wanted) ? (executable(wanted) ? wanted : undefined) : onPath(wanted);
    if (!path) throw new Error(`BENCH_BROWSER=${wanted} is not an executable file or a name on PATH`);
    return { name: wanted, path };
  }
  for (const name of NAMES) {
    const path = onPath(name);
    if (path) return { name, path };
  }
  throw new Error(`no Chromium-family browser on PATH (looked for ${NAMES.join(', ')}); set BENCH_BROWSER or run node scripts/setup.js`);
}

/** Firefox-family executables, most likely first. */
const FIREFOX_NAMES = ['firefox-esr', 'firefox', 'librewolf', 'firefox-nightly'];

/** The Firefox-family browser to bench with ({ name, path }), or undefined: BENCH_FIREFOX, else PATH. */
export function findBenchFirefox() {
  const wanted = process.env.BENCH_FIREFOX;
  if (wanted) {
    const path = isAbsolute(wanted) ? (executable(wanted) ? wanted : undefined) : onPath(wanted);
    return path ? { name: wanted, path } : undefined;
  }
  for (const name of FIREFOX_NAMES) {
    const path = onPath(name);
    if (path) return { name, path };
  }
  return undefined;
}

/** What `browser --version` prints, or undefined. */
export function browserVersion(path) {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Switches added on top of each side's own: headless, no GPU, no background network traffic. */
export const COMMON_SWITCHES = [
  '--headless=new',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  ...(isRoot ? ['--no-sandbox'] : []),
];
