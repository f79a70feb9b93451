// Registering a built app with the user's desktop (`gluon-ts install`) and taking it back out
// (`gluon-ts uninstall`), for the current user only, with no administrator rights.
//
// Linux (freedesktop.org specifications): the desktop entry goes to
// $XDG_DATA_HOME/applications/<id>.desktop, the icon to the hicolor theme, the app's own MIME
// types to $XDG_DATA_HOME/mime/packages/<id>-mime.xml (then update-mime-database), the desktop
// database is refreshed (update-desktop-database, which lists the app for its MIME types), and
// the app becomes the default handler of its schemes and of its own file types (xdg-mime
// default). A file type the system already knows (text/markdown) is only listed, so the user's
// choice of program stays theirs. What install created is written to a record,
// $XDG_DATA_HOME/gluon-ts/installed/<id>.json, and uninstall removes exactly that: the files, the
// app's lines in mimeapps.list, the folders it made (when empty), and the caches it made.
//
// Windows: the registry keys under HKCU\Software\Classes, written with `reg add` (untried on a
// real Windows machine).
//
// macOS (untried on a real Mac): the schemes and file types are declared by the app bundle's
// Info.plist, which `gluon-ts build` writes (mac-bundle.ts). Install copies the bundle into
// ~/Applications with `ditto`, registers it with Launch Services (`lsregister -f`), and makes it
// the default handler of its schemes (LSSetDefaultHandlerForURLScheme, through a fixed JXA script
// that takes the bundle id and the schemes as arguments). Its record is
// ~/Library/Application Support/gluon-ts/installed/<id>.json; uninstall unregisters the bundle
// (`lsregister -u`) and removes it, and Launch Services forgets it as a handler.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { findCommand, runCommand } from './command.js';
import type { Registrations } from './deep-links.js';
import { MAC_TOOLS } from './mac-bundle.js';

/** What install needs of a built app. */
export interface InstallInput {
  /** The app's id: its desktop entry's name without `.desktop` (its window class). */
  id: string;
  /** The app's name as the desktop shows it. */
  title: string;
  /** The program and its arguments that start the app (absolute paths). */
  exec: string[];
  /** The built desktop entry (Linux). */
  desktopFile?: string;
  /** The built icon (a PNG) and its size. */
  icon?: { path: string; width: number; height: number };
  /** The built shared-mime-info package (Linux), if the app has file types of its own. */
  mimeFile?: string;
  /** The built app bundle, `<title>.app` (macOS). */
  appBundle?: string;
  /** The app bundle's identifier (macOS). */
  bundleId?: string;
  registrations: Registrations;
}

/** Where install works: the platform, the environment (XDG_DATA_HOME, XDG_CONFIG_HOME, HOME, ...) and the home folder. */
export interface InstallPlace {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  home: string;
}

/** What install or uninstall did. */
export interface InstallReport {
  /** Files written (install) or removed (uninstall). */
  files: string[];
  /** The commands run, each as program and arguments. */
  ran: string[][];
  /** What could not be done, and what to install to have it. */
  notes: string[];
}

/** install's record of what it added (Linux). */
interface InstallRecord {
  id: string;
  files: string[];
  /** Folders install created, deepest last. */
  dirs: string[];
  /** MIME types the app was made the default for (in mimeapps.list). */
  defaults: string[];
  /** Whether install created $XDG_CONFIG_HOME/mimeapps.list. */
  createdMimeapps: boolean;
  /** Whether update-desktop-database made the desktop database (mimeinfo.cache) at install. */
  createdDesktopCache: boolean;
}

/** The sizes of the hicolor theme's fixed-size folders (its index.theme). */
const HICOLOR_SIZES = [16, 22, 24, 32, 36, 48, 64, 72, 96, 128, 192, 256, 512];

const xdgHome = (env: InstallPlace['env'], name: string, fallback: string) => {
  const value = env[name];
  return value && isAbsolute(value) ? value : fallback;
};

/** $XDG_DATA_HOME (default ~/.local/share) and $XDG_CONFIG_HOME (default ~/.config). */
export function xdgFolders(place: InstallPlace): { data: string; config: string } {
  return {
    data: xdgHome(place.env, 'XDG_DATA_HOME', join(place.home, '.local', 'share')),
    config: xdgHome(place.env, 'XDG_CONFIG_HOME', join(place.home, '.config')),
  };
}

const recordPath = (data: string, id: string) => join(data, 'gluon-ts', 'installed', `${id}.json`);

/** The MIME types install makes the app the default for: its schemes, and its own file types. */
export function defaultMimeTypes(registrations: Registrations): string[] {
  return [...registrations.protocols.map((scheme) => `x-scheme-handler/${scheme}`), ...registrations.fileTypes.filter((type) => type.ownMimeType).map((type) => type.mimeType)];
}

/** Registers the built app for the current user (see the file's head); an earlier install of the same id is removed first. */
export async function installForUser(input: InstallInput, place: InstallPlace): Promise<InstallReport> {
  if (place.platform === 'win32') return runAll(windowsRegistryCommands(input, 'install'));
  if (place.platform === 'darwin') return installOnMac(input, place);
  const { data, config } = xdgFolders(place);
  const report: InstallReport = { files: [], ran: [], notes: [] };
  if (existsSync(recordPath(data, input.id))) {
    const earlier = await uninstallForUser(input.id, place);
    report.ran.push(...earlier.ran);
  }
  if (!input.desktopFile) throw new Error(`install: no desktop entry for ${input.id}: build the app on Linux first (gluon-ts build)`);
  const record: InstallRecord = { id: input.id, files: [], dirs: [], defaults: [], createdMimeapps: false, createdDesktopCache: false };
  const makeDir = (dir: string) => {
    const missing: string[] = [];
    for (let at = dir; !existsSync(at); at = dirname(at)) missing.unshift(at);
    mkdirSync(dir, { recursive: true });
    record.dirs.push(...missing);
  };
  const put = (to: string, write: () => void) => {
    makeDir(dirname(to));
    write();
    record.files.push(to);
  };

  let entry = readFileSync(input.desktopFile, 'utf8');
  const icon = input.icon;
  if (icon && icon.width === icon.height && HICOLOR_SIZES.includes(icon.width)) {
    const to = join(data, 'icons', 'hicolor', `${icon.width}x${icon.height}`, 'apps', `${input.id}.png`);
    put(to, () => copyFileSync(icon.path, to));
    entry = entry.replace(/^Icon=.*$/m, `Icon=${input.id}`);
  } else if (icon) {
    report.notes.push(`the icon is ${icon.width}x${icon.height}, not one of the icon theme's square sizes (${HICOLOR_SIZES.join(', ')}): the desktop entry keeps its path in the build`);
  }
  const applications = join(data, 'applications');
  const desktopFile = join(applications, `${input.id}.desktop`);
  put(desktopFile, () => writeFileSync(desktopFile, entry));

  const env = { XDG_DATA_HOME: data, XDG_CONFIG_HOME: config };
  const tool = async (name: string, args: string[], missing: string) => {
    const found = findCommand(name);
    if (!found) {
      report.notes.push(`${name} not found: ${missing}`);
      return;
    }
    report.ran.push([name, ...args]);
    const result = await runCommand(found, args, { env, timeout: 30_000 });
    if (result.code !== 0) report.notes.push(`${name} ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  };
  if (input.mimeFile) {
    const to = join(data, 'mime', 'packages', `${input.id}-mime.xml`);
    put(to, () => copyFileSync(input.mimeFile!, to));
    await tool('update-mime-database', [join(data, 'mime')], 'the app\'s own file types are not known until it runs (install shared-mime-info)');
  }
  const desktopCache = join(applications, 'mimeinfo.cache');
  const hadCache = existsSync(desktopCache);
  await tool('update-desktop-database', [applications], 'the app is not listed for its file types (install desktop-file-utils)');
  record.createdDesktopCache = !hadCache && existsSync(desktopCache);
  const defaults = defaultMimeTypes(input.registrations);
  if (defaults.length) {
    record.createdMimeapps = !existsSync(join(config, 'mimeapps.list'));
    const missing: string[] = [];
    for (let at = config; !existsSync(at); at = dirname(at)) missing.unshift(at);
    if (!findCommand('xdg-mime')) {
      report.notes.push(`xdg-mime not found: the app was not made the default for ${defaults.join(', ')} (install xdg-utils)`);
    } else {
      for (const mimeType of defaults) {
        await tool('xdg-mime', ['default', `${input.id}.desktop`, mimeType], '');
        record.defaults.push(mimeType);
      }
      record.dirs.push(...missing.filter((dir) => existsSync(dir)));
    }
  }
  const recordFile = recordPath(data, input.id);
  put(recordFile, () => undefined); // listed in itself, so uninstall removes it too
  writeFileSync(recordFile, JSON.stringify(record, null, 2) + '\n');
  report.files.push(...record.files);
  return report;
}

/** Removes what {@link installForUser} added for `id` (Linux: as its record lists; Windows: the registry keys). */
export async function uninstallForUser(id: string, place: InstallPlace, input?: InstallInput): Promise<InstallReport> {
  if (place.platform === 'win32') {
    if (!input) throw new Error('uninstall on Windows needs the app\'s registrations (run it in the app\'s folder)');
    return runAll(windowsRegistryCommands(input, 'uninstall'));
  }
  if (place.platform === 'darwin') return uninstallOnMac(id, place);
  const { data, config } = xdgFolders(place);
  const report: InstallReport = { files: [], ran: [], notes: [] };
  const record = readRecord<InstallRecord>(recordPath(data, id), id, report);
  if (!record) return report;
  for (const path of record.files) {
    if (existsSync(path)) {
      rmSync(path, { force: true });
      report.files.push(path);
    }
  }
  const env = { XDG_DATA_HOME: data, XDG_CONFIG_HOME: config };
  const created = new Set(record.dirs);
  const mime = join(data, 'mime');
  const applications = join(data, 'applications');
  if (record.files.some((path) => path.startsWith(join(mime, 'packages')))) {
    if (created.has(mime) && emptyDir(join(mime, 'packages'))) {
      rmSync(mime, { recursive: true, force: true }); // everything in it but packages/ was generated from packages/
    } else {
      await refresh('update-mime-database', [mime], env, report);
    }
  }
  if (existsSync(applications)) {
    const cache = join(applications, 'mimeinfo.cache');
    await refresh('update-desktop-database', [applications], env, report);
    // A database install made, now listing no application, goes.
    if (record.createdDesktopCache && existsSync(cache) && !readFileSync(cache, 'utf8').includes('=')) rmSync(cache);
  }
  const mimeapps = join(config, 'mimeapps.list');
  if (existsSync(mimeapps)) {
    const left = withoutApp(readFileSync(mimeapps, 'utf8'), `${id}.desktop`);
    if (record.createdMimeapps && !/^[^[\s#]/m.test(left)) rmSync(mimeapps);
    else writeFileSync(mimeapps, left);
  }
  for (const dir of [...record.dirs].reverse()) {
    if (existsSync(dir) && emptyDir(dir)) rmdirSync(dir);
  }
  return report;
}

/** install's record for `id`, or undefined (with a note in `report`) when there is none to read. */
function readRecord<T>(file: string, id: string, report: InstallReport): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    report.notes.push(`${id} is not installed for this user (no ${file})`);
    return undefined;
  }
}

function emptyDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

async function refresh(name: string, args: string[], env: Record<string, string>, report: InstallReport): Promise<void> {
  const found = findCommand(name);
  if (!found) return;
  report.ran.push([name, ...args]);
  const result = await runCommand(found, args, { env, timeout: 30_000 });
  if (result.code !== 0) report.notes.push(`${name} failed (exit ${result.code}): ${result.stderr.trim()}`);
}

/**
 * A mimeapps.list (freedesktop.org MIME Applications Associations) with `desktopId` taken out of
 * every association; a line left with no application goes, and so does a section left empty.
 */
export function withoutApp(text: string, desktopId: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^([^=[#][^=]*)=(.*)$/.exec(line);
    if (!match) {
      out.push(line);
      continue;
    }
    const apps = match[2].split(';').filter((app) => app && app !== desktopId);
    if (apps.length) out.push(`${match[1]}=${apps.join(';')}${match[2].endsWith(';') ? ';' : ''}`);
  }
  // A section header followed by no entry before the next header (or the end) goes.
  const kept: string[] = [];
  for (let i = 0; i < out.length; i++) {
    if (/^\[.*\]\s*$/.test(out[i])) {
      let next = i + 1;
      while (next < out.length && !out[next].trim()) next++;
      if (next >= out.length || /^\[/.test(out[next])) {
        i = next - 1;
        continue;
      }
    }
    kept.push(out[i]);
  }
  const left = kept.join('\n').replace(/^\n+/, '').replace(/\n+$/, '');
  return left ? `${left}\n` : '';
}

/** A registry write or removal on Windows, as `reg` arguments. */
const CLASSES = 'HKCU\\Software\\Classes';

/** A Windows command line's quoting of one argument (CommandLineToArgvW's rules). */
function windowsQuote(arg: string): string {
  if (arg && !/[\s"]/.test(arg)) return arg;
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
}

/**
 * The `reg` commands that register (or remove) the app's schemes and file types for the current
 * user on Windows: a scheme is a key HKCU\Software\Classes\<scheme> with "URL Protocol" and
 * shell\open\command; a file type a ProgID `<id>.<ext>` with its open command, listed under the
 * extension's OpenWithProgids (the user's default program for `.md` stays theirs). Uninstall
 * deletes the scheme keys, the ProgIDs and the OpenWithProgids values. Untried on a real Windows
 * machine.
 */
export function windowsRegistryCommands(input: InstallInput, what: 'install' | 'uninstall'): string[][] {
  const command = [...input.exec.map(windowsQuote), '"%1"'].join(' ');
  const out: string[][] = [];
  for (const scheme of input.registrations.protocols) {
    const key = `${CLASSES}\\${scheme}`;
    if (what === 'uninstall') {
      out.push(['reg', 'delete', key, '/f']);
      continue;
    }
    out.push(['reg', 'add', key, '/ve', '/d', `URL:${input.title}`, '/f']);
    out.push(['reg', 'add', key, '/v', 'URL Protocol', '/d', '', '/f']);
    out.push(['reg', 'add', `${key}\\shell\\open\\command`, '/ve', '/d', command, '/f']);
  }
  for (const type of input.registrations.fileTypes) {
    for (const ext of type.extensions) {
      const progId = `${input.id}.${ext}`;
      if (what === 'uninstall') {
        out.push(['reg', 'delete', `${CLASSES}\\.${ext}\\OpenWithProgids`, '/v', progId, '/f']);
        out.push(['reg', 'delete', `${CLASSES}\\${progId}`, '/f']);
        continue;
      }
      out.push(['reg', 'add', `${CLASSES}\\${progId}`, '/ve', '/d', type.name, '/f']);
      out.push(['reg', 'add', `${CLASSES}\\${progId}\\shell\\open\\command`, '/ve', '/d', command, '/f']);
      out.push(['reg', 'add', `${CLASSES}\\.${ext}\\OpenWithProgids`, '/v', progId, '/t', 'REG_NONE', '/d', '', '/f']);
    }
  }
  return out;
}

async function runAll(commands: string[][]): Promise<InstallReport> {
  const report: InstallReport = { files: [], ran: [], notes: [] };
  for (const [file, ...args] of commands) {
    report.ran.push([file, ...args]);
    const result = await runCommand(file, args, { timeout: 30_000 });
    // Removing a key or value that is not there is no failure of uninstall.
    if (result.code !== 0 && args[0] !== 'delete') report.notes.push(`${file} ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return report;
}

/**
 * Makes a bundle the default handler of URL schemes (macOS): a fixed JXA script for
 * `osascript -l JavaScript -e <script> <bundle id> <scheme>...`, which reads both as arguments.
 */
export const SET_DEFAULT_HANDLER_SCRIPT = `ObjC.import('CoreServices');
function run(argv) {
  var failed = [];
  for (var i = 1; i < argv.length; i++) {
    var status = $.LSSetDefaultHandlerForURLScheme($(argv[i]), $(argv[0]));
    if (status !== 0) failed.push(argv[i] + ' (OSStatus ' + status + ')');
  }
  if (failed.length) throw new Error('not made the default handler of ' + failed.join(', '));
}`;

/** install's record of what it added (macOS). */
interface MacInstallRecord {
  id: string;
  /** The installed bundle. */
  app: string;
  /** Whether install created ~/Applications. */
  createdApplications: boolean;
}

const macRecordPath = (home: string, id: string) => join(home, 'Library', 'Application Support', 'gluon-ts', 'installed', `${id}.json`);

/** Runs a macOS tool, listing it in the report. */
function runListed(report: InstallReport, file: string, args: string[]) {
  report.ran.push([file, ...args]);
  return runCommand(file, args, { timeout: 60_000 });
}

async function installOnMac(input: InstallInput, place: InstallPlace): Promise<InstallReport> {
  if (!input.appBundle || !input.bundleId) throw new Error(`install: no app bundle for ${input.id}: build the app on macOS first (gluon-ts build, with postject installed)`);
  const report: InstallReport = { files: [], ran: [], notes: [] };
  const recordFile = macRecordPath(place.home, input.id);
  if (existsSync(recordFile)) report.ran.push(...(await uninstallOnMac(input.id, place)).ran);
  const applications = join(place.home, 'Applications');
  const app = join(applications, basename(input.appBundle));
  if (existsSync(app)) throw new Error(`install: ${app} is there already, and gluon-ts did not put it there: move it away, then install again`);
  const createdApplications = !existsSync(applications);
  mkdirSync(applications, { recursive: true });
  const copied = await runListed(report, MAC_TOOLS.ditto, [input.appBundle, app]);
  if (copied.code !== 0) throw new Error(`install: ditto could not copy ${input.appBundle} to ${app} (exit ${copied.code}): ${copied.stderr.trim()}`);
  const record: MacInstallRecord = { id: input.id, app, createdApplications };
  mkdirSync(dirname(recordFile), { recursive: true });
  writeFileSync(recordFile, JSON.stringify(record, null, 2) + '\n');
  report.files.push(app, recordFile);
  const registered = await runListed(report, MAC_TOOLS.lsregister, ['-f', app]);
  if (registered.code !== 0) report.notes.push(`lsregister -f failed (exit ${registered.code}): ${registered.stderr.trim()}; Launch Services finds apps in ~/Applications on its own, later`);
  const schemes = input.registrations.protocols;
  if (schemes.length) {
    const made = await runListed(report, MAC_TOOLS.osascript, ['-l', 'JavaScript', '-e', SET_DEFAULT_HANDLER_SCRIPT, input.bundleId, ...schemes]);
    if (made.code !== 0) report.notes.push(`the app was not made the default handler of ${schemes.map((scheme) => `${scheme}://`).join(' ')}: ${made.stderr.trim()}; it still handles them while no other app claims them`);
  }
  return report;
}

async function uninstallOnMac(id: string, place: InstallPlace): Promise<InstallReport> {
  const report: InstallReport = { files: [], ran: [], notes: [] };
  const recordFile = macRecordPath(place.home, id);
  const record = readRecord<MacInstallRecord>(recordFile, id, report);
  if (!record) return report;
  if (existsSync(record.app)) {
    const result = await runListed(report, MAC_TOOLS.lsregister, ['-u', record.app]);
    if (result.code !== 0) report.notes.push(`lsregister -u failed (exit ${result.code}): ${result.stderr.trim()}`);
    rmSync(record.app, { recursive: true, force: true });
    report.files.push(record.app);
  }
  rmSync(recordFile, { force: true });
  report.files.push(recordFile);
  for (let dir = dirname(recordFile); dir !== join(place.home, 'Library', 'Application Support') && emptyDir(dir); dir = dirname(dir)) rmdirSync(dir);
  const applications = join(place.home, 'Applications');
  if (record.createdApplications && emptyDir(applications)) rmdirSync(applications);
  return report;
}
