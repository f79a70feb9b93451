// Where each app keeps its browser profile: a per-app, per-browser folder under
// the platform's user data directory, a stable readable app id, and throwaway
// temporary profiles for incognito windows.

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir as osHomedir, tmpdir } from 'node:os';
import { posix, resolve, win32, basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProfileDirOptions {
  appId: string;
  browserId: string;
  /**
   * A throwaway profile: returns a fresh, not yet created path under the temp dir.
   * Prefer makeIncognitoDir(), which also creates and removes it.
   */
  incognito?: boolean;
  /** Replaces `<dataDir>/gluon-ts/<appId>`. */
  dataPath?: string;
  platform?: NodeJS.Platform;
  env?: Record<string, string | undefined>;
  homedir?: string;
}

function envGet(env: Record<string, string | undefined>, name: string, win: boolean): string | undefined {
  if (env[name]) return env[name];
  if (!win) return undefined;
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key ? env[key] || undefined : undefined;
}

/** The per-user data directory: XDG_DATA_HOME, ~/Library/Application Support, %LOCALAPPDATA%. */
export function userDataDir(o: Pick<ProfileDirOptions, 'platform' | 'env' | 'homedir'> = {}): string {
  const platform = o.platform ?? process.platform;
  const env = o.env ?? process.env;
  const home = o.homedir ?? osHomedir();
  if (platform === 'win32') return envGet(env, 'LOCALAPPDATA', true) ?? win32.join(home, 'AppData', 'Local');
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support');
  const xdg = env.XDG_DATA_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  return xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.local', 'share');
}

export function profileDir(o: ProfileDirOptions): string {
  const platform = o.platform ?? process.platform;
  const path = platform === 'win32' ? win32 : posix;
  if (o.incognito) {
    return path.join(tmpdir(), `gluon-ts-${o.appId}-${o.browserId}-${randomBytes(4).toString('hex')}`);
  }
  return path.join(appDataDir(o), o.browserId);
}

/** The app's own data folder (`dataPath`, or `<dataDir>/gluon-ts/<appId>`): its browser profiles and window state live there. */
export function appDataDir(o: Omit<ProfileDirOptions, 'browserId' | 'incognito'>): string {
  const path = (o.platform ?? process.platform) === 'win32' ? win32 : posix;
  return o.dataPath ?? path.join(userDataDir(o), 'gluon-ts', o.appId);
}

/**
 * A readable, filesystem-safe, stable id for an app: its folder's name plus a short
 * hash of the folder's absolute path (two apps both called `app` stay apart).
 * `entryPath` is the app's entry file (a path or a file: URL such as import.meta.url)
 * or its folder.
 */
export function appIdFor(entryPath: string): string {
  const abs = resolve(entryPath.startsWith('file:') ? fileURLToPath(entryPath) : entryPath);
  let folder = dirname(abs);
  try {
    if (statSync(abs).isDirectory()) folder = abs;
  } catch {
    // not on disk: treat it as a file path
  }
  const readable =
    basename(folder)
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^[-_]+/, '')
      .slice(0, 40)
      .replace(/[-_]+$/, '') || 'app';
  const hash = createHash('sha256').update(folder).digest('hex').slice(0, 8);
  return `${readable}-${hash}`;
}

/**
 * The window class for an app name: letters, digits, `.`, `_` and `-` kept, anything else (the
 * `@` and `/` of a scoped npm name, spaces) made `-`. The same string is the .desktop file's
 * StartupWMClass, so a desktop matches the app's windows to it.
 */
export function windowClassFor(name: string): string {
  return name.replace(/^@/, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'app';
}

/**
 * The app's folder under the data folder (`<dataDir>/gluon-ts/<appId>`), named by the app's
 * window class where it has a name. An app that had its folder under the older name (its entry
 * folder's name and hash, appIdFor) has that folder moved to the new name once; if the move
 * fails, the older folder stays in use. Returns the app id to use.
 */
export async function adoptAppFolder(o: { windowClass?: string; entryPath: string; env?: Record<string, string | undefined>; log?: (line: string) => void }): Promise<string> {
  const older = appIdFor(o.entryPath);
  if (!o.windowClass) return older;
  const root = join(userDataDir({ env: o.env }), 'gluon-ts');
  const [from, to] = [join(root, older), join(root, o.windowClass)];
  if (existsSync(to) || !existsSync(from)) return o.windowClass;
  try {
    await mkdir(root, { recursive: true });
    await rename(from, to);
    o.log?.(`moved the app's profiles from ${from} to ${to}`);
    return o.windowClass;
  } catch (error) {
    o.log?.(`kept the app's profiles in ${from}: ${String(error)}`);
    return older;
  }
}

/** A fresh temporary profile folder; remove() deletes it (retrying while the browser lets go). */
export async function makeIncognitoDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gluon-ts-'));
  return {
    dir,
    // rm retries on EBUSY/ENOTEMPTY/EPERM: Chromium may still write for a moment after exit.
    remove: () => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }),
  };
}
