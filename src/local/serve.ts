// Owns serving an app's local folder under its private https origin: finding the
// folder/entry file the app passed to `open()`, and the request handler the engine
// calls for every request to that origin (path checks, symlink containment, headers).

import { open, realpath, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ServedRequest, ServedResponse } from '../engine/types.js';
import { mimeTypeFor } from './mime.js';

/**
 * Default Content-Security-Policy for HTML served from a local folder.
 * The app's own origin may do everything (inline scripts and styles included);
 * images, media, fonts, styles and fetch/WebSocket may reach https (plus data:/blob:);
 * scripts and frames may only come from the app itself. `http:` URLs are refused rather than
 * upgraded: no `upgrade-insecure-requests`, which Firefox also applies to ws://127.0.0.1 (the
 * IPC data channel), turning it into a wss:// connection that cannot work.
 */
export const DEFAULT_CSP: string = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline' https: data: blob:",
  "img-src 'self' https: data: blob:",
  "media-src 'self' https: data: blob:",
  "font-src 'self' https: data: blob:",
  "connect-src 'self' https: wss: data: blob:",
  "worker-src 'self' blob:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/**
 * Whether a local app's CSP lets its page open the IPC data channel (ws://127.0.0.1:PORT):
 * no CSP, gluon-ts's default (which gets the exact source added by `withDataChannelSource`), or a
 * policy whose connect-src (else default-src) lists `ws:` or `ws://127.0.0.1:*`.
 */
export function cspAllowsDataChannel(csp: string): boolean {
  if (csp === '' || csp === DEFAULT_CSP) return true;
  const directives = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources.map((source) => source.toLowerCase()));
  }
  const sources = directives.get('connect-src') ?? directives.get('default-src');
  if (!sources) return true;
  return sources.includes('ws:') || sources.includes('ws://127.0.0.1:*');
}

/** The CSP to serve when the data channel is on: gluon-ts's default gets the channel's exact source. */
export function withDataChannelSource(csp: string, port: number): string {
  if (csp !== DEFAULT_CSP) return csp;
  return csp.replace("connect-src 'self'", `connect-src 'self' ws://127.0.0.1:${port}`);
}

/** Longest raw (still percent-encoded) URL path accepted; longer ones get 414. */
export const MAX_PATH_LENGTH = 1024;

export interface FolderServerOptions {
  /** Content-Security-Policy for HTML documents; '' sends none. */
  csp: string;
  /** Debug hook, called once per request with e.g. `GET /app.js -> 200 (1234 B)`. */
  log?: (line: string) => void;
  /** The file (a name in the root folder) answered at `/`. Default: index.html. */
  entry?: string;
}

/**
 * Works out what to serve for `open(target)`. `target` is relative to `baseDir` or absolute.
 * A folder is served with its index.html as entry; a file is served from its folder, as the
 * entry. The app starts at `entryPath` (`/`, as in Gluon), where the server answers with the
 * `entry` file. The returned root is a real path (symlinks resolved).
 */
export async function resolveLocalTarget(
  target: string,
  baseDir: string,
): Promise<{ root: string; entryPath: string; entry: string }> {
  const abs = resolve(baseDir, target);
  let info;
  try {
    info = await stat(abs);
  } catch (err) {
    if (errCode(err) === 'ENOENT' || errCode(err) === 'ENOTDIR') {
      throw new Error(
        `Cannot open '${target}': nothing exists at ${abs} (resolved relative to ${baseDir}). ` +
          'Pass a path relative to the calling module, or an absolute path.',
      );
    }
    throw new Error(`Cannot open '${target}': cannot read ${abs}: ${errMessage(err)}`);
  }
  if (info.isDirectory()) {
    const index = await stat(join(abs, 'index.html')).catch(() => undefined);
    if (!index?.isFile()) {
      throw new Error(
        `Cannot open the folder ${abs}: it has no index.html. ` +
          'Add an index.html to it, or pass the path of the HTML file to open.',
      );
    }
    return { root: await realpath(abs), entryPath: '/', entry: 'index.html' };
  }
  return { root: await realpath(dirname(abs)), entryPath: '/', entry: basename(abs) };
}

/** A handler that answers GET/HEAD requests with the files under `root`. Never throws. */
export function createFolderServer(
  root: string,
  o: FolderServerOptions,
): (req: ServedRequest) => Promise<ServedResponse> {
  let realRoot: Promise<string> | undefined;
  const getRealRoot = (): Promise<string> => {
    if (!realRoot) {
      const p = realpath(root);
      p.catch(() => {
        if (realRoot === p) realRoot = undefined; // retry later if the root is missing now
      });
      realRoot = p;
    }
    return realRoot;
  };

  return async (req) => {
    let rawPath: string;
    let res: ServedResponse;
    try {
      rawPath = new URL(req.url).pathname; // raw, still percent-encoded; query and hash dropped
    } catch {
      rawPath = '';
    }
    try {
      res = rawPath === '' ? textResponse(400, 'Bad request') : await answer(req, rawPath, getRealRoot, o);
    } catch {
      res = textResponse(500, statusText(500)); // no details: they could name local paths
    }
    if (req.method === 'HEAD') res.body = new Uint8Array(0);
    if (o.log) {
      const shown = rawPath.length > 200 ? rawPath.slice(0, 200) + '…' : rawPath;
      try {
        o.log(`${req.method} ${shown} -> ${res.status} (${res.body.length} B)`);
      } catch {
        // a failing debug hook must not break serving
      }
    }
    return res;
  };
}

async function answer(
  req: ServedRequest,
  rawPath: string,
  getRealRoot: () => Promise<string>,
  { csp, entry }: FolderServerOptions,
): Promise<ServedResponse> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const res = textResponse(405, 'Method not allowed');
    res.headers['Allow'] = 'GET, HEAD';
    return res;
  }
  const checked = checkPath(rawPath);
  if (typeof checked === 'number') return textResponse(checked, statusText(checked));

  // `/` is the entry the app was opened with (Gluon's URL for it).
  const segments = checked.length === 1 && checked[0] === '' && entry ? [entry] : checked;
  const found = await findFile(segments, await getRealRoot());
  if (typeof found === 'number') return textResponse(found, statusText(found));

  const { handle, size, name } = found;
  let body: Uint8Array;
  try {
    body = req.method === 'HEAD' ? new Uint8Array(0) : await handle.readFile();
  } finally {
    await handle.close();
  }
  const type = mimeTypeFor(name);
  const headers: Record<string, string> = {
    'Content-Type': type,
    'Content-Length': String(req.method === 'HEAD' ? size : body.length),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  if (csp !== '' && type.startsWith('text/html')) headers['Content-Security-Policy'] = csp;
  return { status: 200, headers, body };
}

/**
 * Checks a raw URL path and splits it into decoded segments, or returns the status to refuse
 * it with. The URL parser has already removed `.`/`..` segments; what is left is still hostile.
 */
function checkPath(rawPath: string): string[] | number {
  if (rawPath.length > MAX_PATH_LENGTH) return 414;
  if (!rawPath.startsWith('/') || rawPath.startsWith('//')) return 403;
  // Encoded separators and NUL never name a file of ours.
  if (/%(2f|5c|00)/i.test(rawPath)) return 403;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return 403;
  }
  // Decoded exactly once. A leftover `%2f`/`%5c` means a double-encoded separator: refuse it too.
  if (decoded.includes('\0') || decoded.includes('\\') || /%(2f|5c)/i.test(decoded)) return 403;
  if (decoded.startsWith('//')) return 403;
  const segments = decoded.slice(1).split('/');
  for (const s of segments) {
    if (s === '..' || s === '.') return 403;
    if (/^[a-z]:/i.test(s)) return 403; // drive letter
    if (process.platform === 'win32' && s.includes(':')) return 403; // alternate data streams
  }
  return segments;
}

type Found = { kind: 'dir'; real: string } | { kind: 'file'; handle: FileHandle; size: number };

/**
 * Opens the regular file that checked path `segments` names under the real root `base`, with
 * the name to pick its type by; or a status. As in Gluon, a name with no extension that is not a
 * file means that name plus `.html` (`<a href="about">` -> about.html); then a folder means its
 * index.html. Each candidate passes the same containment checks.
 */
async function findFile(
  segments: string[],
  base: string,
): Promise<{ handle: FileHandle; size: number; name: string } | number> {
  const last = segments[segments.length - 1] ?? '';
  let found = await openInside(join(base, ...segments), base);
  if (typeof found !== 'number' && found.kind === 'file') {
    if (last !== '') return { ...found, name: last };
    await found.handle.close(); // `/app.js/` asks for a folder, and app.js is not one
    return 404;
  }
  if (last !== '' && extname(last) === '') {
    const page = await openInside(join(base, ...segments.slice(0, -1), last + '.html'), base);
    if (typeof page !== 'number' && page.kind === 'file') return { ...page, name: last + '.html' };
  }
  if (typeof found === 'number') return found;
  found = await openInside(join(found.real, 'index.html'), base);
  if (typeof found === 'number') return found;
  if (found.kind === 'dir') return 404;
  return { ...found, name: 'index.html' };
}

/**
 * Resolves `path` and, if its real path is inside `base`, reports a folder or opens a regular
 * file (never a FIFO or device, which could block or never end); otherwise a status.
 */
async function openInside(path: string, base: string): Promise<Found | number> {
  let real: string;
  let handle: FileHandle | undefined;
  try {
    real = await realpath(path);
    const rel = relative(base, real);
    if (rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)) return 403;
    const info = await stat(real);
    if (info.isDirectory()) return { kind: 'dir', real };
    if (!info.isFile()) return 404;
    handle = await open(real, 'r');
    const opened = await handle.stat(); // the file may have been swapped since stat()
    if (!opened.isFile()) {
      await handle.close();
      return 404;
    }
    return { kind: 'file', handle, size: opened.size };
  } catch (err) {
    await handle?.close().catch(() => {});
    return statusForError(err);
  }
}

function statusForError(err: unknown): number {
  switch (errCode(err)) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EISDIR':
    case 'ENAMETOOLONG':
    case 'ELOOP':
      return 404;
    case 'EACCES':
    case 'EPERM':
      return 403;
    default:
      return 500;
  }
}

function statusText(status: number): string {
  switch (status) {
    case 403:
      return 'Forbidden';
    case 404:
      return 'Not found';
    case 414:
      return 'URI too long';
    default:
      return 'Internal error';
  }
}

function textResponse(status: number, text: string): ServedResponse {
  const body = new TextEncoder().encode(text + '\n');
  return {
    status,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(body.length),
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    },
    body,
  };
}

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
