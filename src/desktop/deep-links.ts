// Deep links and file types: the schemes (`myapp://...`) and file types an app registers in its
// package.json (`"gluon": { "protocols": ["myapp"], "fileTypes": [{ "name", "extensions",
// "mimeType"? }] }`), checked here once for `gluon-ts build` (which writes them into the desktop
// entry) and for the running app, which hears them as `Gluon.on('open-url')` and
// `Gluon.on('open-file')`:
//   - from its own command line, read when the first handler of either event is added and
//     delivered on the next turn (events with no handler yet are kept until one is added); if
//     the app asked for the single-instance lock in the meantime, only once it holds it (a later
//     start hands its command line to the first instead of opening it twice);
//   - from a later start's command line, forwarded by the single-instance lock (single-instance.ts
//     calls forwardOpenRequests), relative paths resolved against that start's folder.
// An argument counts only if it is a URL of a registered scheme, or an existing file (a path or a
// file: URL, as a launcher's %U gives) with a registered extension; flags and the rest are left
// alone.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRegistrations as builtRegistrations } from '../assets.js';
import { logger } from '../log.js';
import { emitOrKeep, whenFirstHandler } from './app-events.js';
import { appPackageAbove } from './app-name.js';

const log = logger('desktop');

/** One file type of the app, checked: `mimeType` is the declared one or one of the app's own. */
export interface FileType {
  /** What the desktop calls it ("Markdown"). */
  name: string;
  /** Its extensions, lower case, without the dot ("md", "tar.gz"). */
  extensions: string[];
  /** Its MIME type: the one package.json gives, else `application/x-<app>-<first extension>`. */
  mimeType: string;
  /** True when `mimeType` is the app's own: the build then writes a shared-mime-info package that maps the extensions to it. */
  ownMimeType: boolean;
}

/** The schemes and file types an app registers, checked. */
export interface Registrations {
  /** URL schemes, lower case, without ':' ("myapp"). */
  protocols: string[];
  fileTypes: FileType[];
}

/** Schemes that belong to the browser, the OS or other programs: an app may not claim them. */
const RESERVED = new Set(['http', 'https', 'file', 'ftp', 'ftps', 'sftp', 'ssh', 'mailto', 'tel', 'sms', 'data', 'blob', 'javascript', 'about', 'ws', 'wss', 'chrome', 'chrome-extension', 'moz-extension', 'resource', 'view-source', 'urn', 'news', 'smb', 'nfs', 'trash', 'x-scheme-handler']);
const SCHEME = /^[a-z][a-z0-9+.-]*$/;
const EXTENSION = /^[a-z0-9_+-]+(\.[a-z0-9_+-]+)*$/;
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/** An error in package.json's `gluon.protocols` or `gluon.fileTypes`: says which entry and what to write instead. */
export class RegistrationError extends Error {
  override readonly name = 'RegistrationError';
}

/** The part of a name usable in a MIME type: lower case letters, digits and '-'. */
const mimeToken = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'app';

/**
 * Checks package.json's `gluon` field (`settings`) and returns its schemes and file types;
 * throws a {@link RegistrationError} that names the bad entry. `appName` names the app's own
 * MIME types. No `protocols` and no `fileTypes`: nothing registered.
 */
export function parseRegistrations(settings: unknown, appName: string): Registrations {
  const found: Registrations = { protocols: [], fileTypes: [] };
  if (settings === undefined || settings === null) return found;
  if (typeof settings !== 'object' || Array.isArray(settings)) throw new RegistrationError(`package.json's "gluon" must be an object, got ${JSON.stringify(settings)}`);
  const { protocols, fileTypes } = settings as { protocols?: unknown; fileTypes?: unknown };
  if (protocols !== undefined) {
    if (!Array.isArray(protocols)) throw new RegistrationError(`package.json's gluon.protocols must be a list of URL schemes, such as ["myapp"]; got ${JSON.stringify(protocols)}`);
    protocols.forEach((value, i) => {
      const where = `package.json's gluon.protocols[${i}]`;
      if (typeof value !== 'string') throw new RegistrationError(`${where} must be a string (a URL scheme such as "myapp"), got ${JSON.stringify(value)}`);
      const scheme = value.toLowerCase();
      const bare = scheme.replace(/[:/].*$/, '');
      if (/[:/]/.test(scheme)) throw new RegistrationError(`${where} is "${value}": write the scheme alone, without ':' or '//' (e.g. "${bare && !RESERVED.has(bare) ? bare : mimeToken(appName)}")`);
      if (!SCHEME.test(scheme)) throw new RegistrationError(`${where} is "${value}", which is not a URL scheme: a letter, then letters, digits, '+', '-' or '.' (RFC 3986), e.g. "myapp"`);
      if (scheme.length < 2) throw new RegistrationError(`${where} is "${value}": a one-letter scheme reads as a Windows drive letter; use a longer name`);
      if (RESERVED.has(scheme)) throw new RegistrationError(`${where} is "${value}", a scheme of the browser or the system: an app may not take it over; use one of its own, e.g. "${mimeToken(appName)}"`);
      if (found.protocols.includes(scheme)) throw new RegistrationError(`${where}: "${value}" is listed twice`);
      found.protocols.push(scheme);
    });
  }
  if (fileTypes !== undefined) {
    if (!Array.isArray(fileTypes)) throw new RegistrationError(`package.json's gluon.fileTypes must be a list such as [{ "name": "Markdown", "extensions": ["md"] }], got ${JSON.stringify(fileTypes)}`);
    const taken = new Set<string>();
    fileTypes.forEach((entry, i) => {
      const where = `package.json's gluon.fileTypes[${i}]`;
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new RegistrationError(`${where} must be an object such as { "name": "Markdown", "extensions": ["md"] }, got ${JSON.stringify(entry)}`);
      const { name, extensions, mimeType } = entry as { name?: unknown; extensions?: unknown; mimeType?: unknown };
      if (typeof name !== 'string' || !name.trim() || /[\r\n]/.test(name)) throw new RegistrationError(`${where}.name must be a one-line, non-empty string (what the desktop calls the type, e.g. "Markdown"), got ${JSON.stringify(name)}`);
      if (!Array.isArray(extensions) || extensions.length === 0) throw new RegistrationError(`${where}.extensions must be a non-empty list such as ["md"], got ${JSON.stringify(extensions)}`);
      const exts = extensions.map((ext, j) => {
        if (typeof ext !== 'string') throw new RegistrationError(`${where}.extensions[${j}] must be a string such as "md", got ${JSON.stringify(ext)}`);
        const clean = ext.replace(/^\./, '').toLowerCase();
        if (!EXTENSION.test(clean)) throw new RegistrationError(`${where}.extensions[${j}] is "${ext}": an extension is letters, digits, '_', '+' or '-', in parts joined by '.' ("md", "tar.gz"), with no '*', '/' or spaces`);
        if (taken.has(clean)) throw new RegistrationError(`${where}.extensions[${j}]: ".${clean}" is already listed`);
        taken.add(clean);
        return clean;
      });
      if (mimeType !== undefined && (typeof mimeType !== 'string' || !MIME_TYPE.test(mimeType.toLowerCase()))) {
        throw new RegistrationError(`${where}.mimeType is ${JSON.stringify(mimeType)}, which is not a MIME type such as "text/markdown"; leave it out to have one of the app's own`);
      }
      const own = mimeType === undefined;
      found.fileTypes.push({
        name: name.trim(),
        extensions: exts,
        mimeType: own ? `application/x-${mimeToken(appName)}-${mimeToken(exts[0])}` : (mimeType as string).toLowerCase(),
        ownMimeType: own,
      });
    });
  }
  return found;
}

/** What one argument of a command line asks the app to open. */
export type OpenRequest = { kind: 'url'; url: string } | { kind: 'file'; path: string };

const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * The links and files among a command line's arguments (`args`: the app's own, without the
 * runtime and the entry file), in their order: a URL of a registered scheme as given; an
 * existing file with a registered extension (a path resolved against `cwd`, or a file: URL) as
 * an absolute path. Arguments before `--` that start with '-' are flags and never count.
 */
export function openRequestsIn(args: readonly string[], cwd: string, registrations: Registrations, fileExists: (path: string) => boolean = isFile): OpenRequest[] {
  const out: OpenRequest[] = [];
  let flags = true;
  for (const arg of args) {
    if (flags && arg === '--') {
      flags = false;
      continue;
    }
    if ((flags && arg.startsWith('-')) || !arg) continue;
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(arg)?.[1].toLowerCase();
    let path: string | undefined;
    if (scheme === 'file') {
      try {
        path = fileURLToPath(arg);
      } catch {
        continue;
      }
    } else if (scheme) {
      if (registrations.protocols.includes(scheme)) out.push({ kind: 'url', url: arg });
      continue;
    } else {
      path = resolve(cwd, arg);
    }
    const lower = path.toLowerCase();
    const typed = registrations.fileTypes.some((type) => type.extensions.some((ext) => lower.endsWith(`.${ext}`)));
    if (typed && fileExists(path)) out.push({ kind: 'file', path });
  }
  return out;
}

let cached: Registrations | undefined;

/** The running app's registrations: those a build wrote, else its package.json's; none (logged) if they do not check. */
export function runningAppRegistrations(): Registrations {
  if (cached) return cached;
  cached = { protocols: [], fileTypes: [] };
  try {
    let settings: unknown = builtRegistrations;
    let name = 'app';
    if (settings === undefined && process.argv[1]) {
      let entry = resolve(process.argv[1]);
      try {
        entry = realpathSync(entry);
      } catch {
        // not on disk: its folder is still the best guess
      }
      const pkg = appPackageAbove(dirname(entry));
      if (pkg) {
        name = pkg.name;
        settings = JSON.parse(readFileSync(join(pkg.folder, 'package.json'), 'utf8')).gluon;
      }
    }
    cached = parseRegistrations(settings, name);
  } catch (error) {
    process.emitWarning(`open-url and open-file stay silent: ${(error as Error).message}`, { code: 'GLUON_REGISTRATIONS' });
  }
  return cached;
}

function emitRequests(requests: OpenRequest[]): void {
  for (const request of requests) {
    if (request.kind === 'url') emitOrKeep('open-url', { url: request.url });
    else emitOrKeep('open-file', { path: request.path });
  }
}

/** A later start's command line (its full argv: runtime, entry, arguments), as the lock forwarded it: its links and files, heard now (or kept until a handler listens). */
export function forwardOpenRequests(argv: readonly string[], cwd: string): void {
  const registrations = runningAppRegistrations();
  if (!registrations.protocols.length && !registrations.fileTypes.length) return;
  const requests = openRequestsIn(argv.slice(2), cwd, registrations);
  log('a later start asks to open', requests.length, 'link(s)/file(s)');
  emitRequests(requests);
}

/**
 * Set by single-instance.ts: the app's lock request, if it made one: pending (a promise), or
 * settled (true: this process holds the lock; false: a later start, which handed its command
 * line to the first).
 */
let lockSettling: (() => Promise<boolean> | boolean | undefined) | undefined;

/** single-instance.ts tells how to learn the state of the app's lock request. */
export function setLockSettling(pending: () => Promise<boolean> | boolean | undefined): void {
  lockSettling = pending;
}

let started = false;

/** Reads this start's command line once, the first time an open-url or open-file handler is added; delivers on the next turn. */
function readOwnCommandLine(): void {
  if (started) return;
  started = true;
  setImmediate(() => {
    const requests = openRequestsIn(process.argv.slice(2), process.cwd(), runningAppRegistrations());
    if (!requests.length) return;
    // A later start hands these to the first one; only the first opens them.
    const lock = lockSettling?.();
    if (lock === false) return;
    if (lock === undefined || lock === true) return emitRequests(requests);
    lock.then((first) => first && emitRequests(requests), () => emitRequests(requests));
  });
}

whenFirstHandler('open-url', readOwnCommandLine);
whenFirstHandler('open-file', readOwnCommandLine);
