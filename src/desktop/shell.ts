// Gluon.shell: hand a link or a file to the desktop, with Electron's names (openExternal,
// openPath, showItemInFolder). Every tool is run with runCommand: no shell ever sees the URL or
// the path, which are one argument each.
//   openExternal      Linux xdg-open (detached) | macOS open | Windows rundll32 url.dll,FileProtocolHandler
//   openPath          Linux xdg-open (detached) | macOS open | Windows explorer
//   showItemInFolder  Linux the file manager's org.freedesktop.FileManager1.ShowItems over D-Bus,
//                     else xdg-open of the folder | macOS open -R | Windows explorer /select,
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { logger } from '../log.js';
import { findCommand, runCommand, type CommandFinder } from './command.js';

const log = logger('desktop');

/** The schemes openExternal opens when the caller names none. */
export const DEFAULT_PROTOCOLS: readonly string[] = ['https:', 'http:', 'mailto:'];

export interface OpenExternalOptions {
  /**
   * The schemes allowed for this call, in place of the default `['https:', 'http:', 'mailto:']`
   * (`'myapp'` and `'myapp:'` alike). Anything else is refused with a TypeError.
   */
  protocols?: readonly string[];
}

/** The OS around a call: passed in so every platform's route can be tested anywhere. */
export interface ShellPlace {
  platform: NodeJS.Platform;
  findCommand: CommandFinder;
}

/** A program and its arguments. */
export type ShellCommand = [file: string, args: string[], detached: boolean];

const here = (): ShellPlace => ({ platform: process.platform, findCommand });

/**
 * The URL openExternal would open: `url` parsed with WHATWG URL (refused with a TypeError if it is
 * not an absolute URL) and its scheme checked against `protocols`.
 */
export function checkedUrl(url: unknown, protocols: readonly string[] = DEFAULT_PROTOCOLS): URL {
  if (typeof url !== 'string') throw new TypeError(`shell.openExternal(url): url must be a string, got ${url === null ? 'null' : typeof url}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`shell.openExternal: ${JSON.stringify(url)} is not a URL (give an absolute URL such as https://example.org/)`);
  }
  const allowed = protocols.map((p) => (p.endsWith(':') ? p : `${p}:`).toLowerCase());
  if (!allowed.includes(parsed.protocol)) {
    throw new TypeError(`shell.openExternal: the scheme ${parsed.protocol} of ${JSON.stringify(url)} is not allowed (allowed: ${allowed.join(' ')}); list it in options.protocols to open it`);
  }
  return parsed;
}

/** The command that opens a URL: Linux xdg-open, macOS open, Windows the URL protocol handler. */
export function openExternalCommand(href: string, { platform, findCommand: find }: ShellPlace): ShellCommand {
  if (platform === 'darwin') return ['open', [href], false];
  // rundll32 hands the URL to the registered protocol handler (ShellExecute) with no cmd.exe in
  // between, so & ^ % and quotes in a URL mean nothing (a parsed URL has no spaces or quotes).
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', href], false];
  return [xdgOpen(find), [href], true];
}

/** The command that opens a file or folder with its default app (`path` absolute). */
export function openPathCommand(path: string, { platform, findCommand: find }: ShellPlace): ShellCommand {
  if (platform === 'darwin') return ['open', [path], false];
  if (platform === 'win32') return ['explorer', [path], true];
  return [xdgOpen(find), [path], true];
}

/** The command that shows a file selected in its folder, where no D-Bus file manager does (`path` absolute). */
export function showItemCommand(path: string, { platform, findCommand: find }: ShellPlace): ShellCommand {
  if (platform === 'darwin') return ['open', ['-R', path], false];
  // explorer's own syntax: the switch and the path as two arguments (the path quoted when it has spaces).
  if (platform === 'win32') return ['explorer', ['/select,', path], true];
  return [xdgOpen(find), [dirname(path)], true];
}

function xdgOpen(find: CommandFinder): string {
  if (!find('xdg-open')) throw new Error('shell: xdg-open is not installed, so there is nothing to open links and files with; install xdg-utils (Debian/Ubuntu: apt-get install xdg-utils)');
  return 'xdg-open';
}

/**
 * Runs a shell command: detached ones (xdg-open may wait for the app it starts; explorer's exit
 * code means nothing) resolve once started, the others once they exit with 0.
 */
async function runShellCommand([file, args, detached]: ShellCommand): Promise<void> {
  if (detached) {
    await runCommand(file, args, { detached: true });
    return;
  }
  const result = await runCommand(file, args, { timeout: 30_000 });
  if (result.code !== 0) throw new Error(`${file} failed (${result.code ?? result.signal}): ${result.stderr.trim() || 'it printed nothing'}`);
}

/**
 * Opens `url` with the desktop's default app for it (the browser for web links, the mail app for
 * mailto:). Only `https:`, `http:` and `mailto:` unless `options.protocols` names the schemes to
 * allow; anything else, and anything that is not an absolute URL, is refused with a TypeError.
 * Resolves once the opener has started (Linux) or has handed the URL on (macOS, Windows).
 */
export async function openExternal(url: string, options: OpenExternalOptions = {}): Promise<void> {
  const parsed = checkedUrl(url, options.protocols ?? DEFAULT_PROTOCOLS);
  log('openExternal', parsed.href);
  await runShellCommand(openExternalCommand(parsed.href, here()));
}

/**
 * Opens a file or folder with the desktop's default app for it, as Electron's `shell.openPath`:
 * resolves with '' once it is handed on, or with a message saying why it could not be (it never
 * rejects). A relative path is taken from the current folder.
 */
export async function openPath(path: string): Promise<string> {
  try {
    if (typeof path !== 'string' || !path) return 'shell.openPath(path): path must be a non-empty string';
    const absolute = resolve(path);
    try {
      await stat(absolute);
    } catch (error) {
      return `shell.openPath: cannot open ${absolute}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}`;
    }
    await runShellCommand(openPathCommand(absolute, here()));
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Shows a file in the file manager, selected in its folder. Linux: the file manager's
 * `org.freedesktop.FileManager1.ShowItems` on the session bus (Nautilus, Dolphin, Nemo, Thunar, ...),
 * else xdg-open of its folder; macOS `open -R`; Windows `explorer /select,`. Resolves once asked;
 * rejects only when there is nothing to ask (no xdg-open either).
 */
export async function showItemInFolder(path: string): Promise<void> {
  if (typeof path !== 'string' || !path) throw new TypeError('shell.showItemInFolder(path): path must be a non-empty string');
  const absolute = resolve(path);
  const place = here();
  if (place.platform !== 'darwin' && place.platform !== 'win32') {
    const why = await showItemsOverDbus(absolute);
    if (!why) return;
    log('showItemInFolder: no D-Bus file manager', `(${why}), opening the folder instead`);
  }
  await runShellCommand(showItemCommand(absolute, place));
}

/** Asks the D-Bus file manager to show the item; undefined if it did, else why it could not. */
async function showItemsOverDbus(path: string): Promise<string | undefined> {
  const { hasSessionBus, withSessionBus, dbus } = await import('./dbus.js');
  if (!hasSessionBus()) return 'no session bus';
  try {
    await withSessionBus((bus) =>
      bus.call(
        new dbus.Message({
          destination: 'org.freedesktop.FileManager1',
          path: '/org/freedesktop/FileManager1',
          interface: 'org.freedesktop.FileManager1',
          member: 'ShowItems',
          signature: 'ass',
          body: [[pathToFileURL(path).href], ''],
        }),
      ),
    );
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `Gluon.shell`: links and files handed to the desktop, as Electron's `shell`. */
export interface ShellApi {
  /** Opens a URL with its default app; only https:, http: and mailto: unless `options.protocols` says otherwise (others: TypeError). */
  openExternal(url: string, options?: OpenExternalOptions): Promise<void>;
  /** Opens a file or folder with its default app: '' once done, else why not (never rejects). */
  openPath(path: string): Promise<string>;
  /** Shows a file selected in the file manager. */
  showItemInFolder(path: string): Promise<void>;
}

/** Links and files handed to the desktop's default apps and file manager; no shell ever sees them. */
export const shell: ShellApi = { openExternal, openPath, showItemInFolder };
