// Finds the folder of the module that called into this package, so that open('ui/index.html') is
// resolved like an import: relative to the calling file. Works on Node, Deno and Bun.
//
// The frames come from V8's CallSite API (Error.prepareStackTrace), which all three runtimes
// offer. It names files exactly (Node: a file: URL or a path; Deno and Bun: a path), and on Node
// it ignores source maps, which `gluon-ts dev` turns on: the caller stays the built file beside
// the built page folder. Where the hook cannot be set (node --frozen-intrinsics), or a runtime
// does not call it, the stack's text is read instead (see filesInStackText for its formats).
//
// Deno follows source maps even there: this package's frames name its sources (src/*.ts), not
// dist/src/*.js. So "inside the package" is judged from the stack itself: the folder two levels
// above the first frame, which is this module, whatever name the runtime gives it.
import { posix, win32 } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { appDirectory } from '../assets.js';

/** How the running runtime writes file names in stack frames. */
export interface FrameSyntax {
  /** Windows paths: `C:\app\x.js`, `\\server\share\x.js`, `file:///C:/app/x.js`. */
  windows: boolean;
  /**
   * Deno only: its working folder. Deno's stack text writes a file URL half-decoded (measured,
   * Deno 2.9): the working folder's part as a URL, the rest as the raw path. From the working
   * folder `/home/a b`: `file:///home/a%20b/ui #2/x.js`, and outside it `file:///opt/c d/x.js`.
   * Node writes real URLs (`file:///opt/c%20d/x.js`); Bun writes paths.
   */
  denoCwd?: string;
}

const HOST: FrameSyntax = { windows: process.platform === 'win32', denoCwd: 'Deno' in globalThis ? process.cwd() : undefined };

export function callerDirectory(): string {
  if (appDirectory !== undefined) return appDirectory; // a built app: the package is inside its bundle
  return callerDirectoryIn(stackFiles(), HOST) ?? process.cwd();
}

/**
 * The folder of the first file in `files` (a stack's frames, innermost first, as paths) that is
 * not inside this package. The first file is this module's own (dist/src/window/caller.js, or its
 * source under a runtime that follows source maps): the package's code is what lies two folders
 * above it. Undefined if every frame is the package's.
 */
export function callerDirectoryIn(files: readonly string[], syntax: FrameSyntax): string | undefined {
  const path = syntax.windows ? win32 : posix;
  if (files.length === 0) return undefined;
  const own = path.dirname(path.dirname(files[0])) + path.sep;
  const caller = files.find((file) => !file.startsWith(own));
  return caller === undefined ? undefined : path.dirname(caller);
}

/** The files of the current stack's frames as paths, innermost (this function's) first. */
function stackFiles(): string[] {
  const saved = { prepare: Error.prepareStackTrace, limit: Error.stackTraceLimit };
  try {
    Error.stackTraceLimit = 50;
    Error.prepareStackTrace = (_error, frames) => frames.map((frame) => frame.getFileName?.());
  } catch {
    // Frozen intrinsics: neither can be set. The text has the default 10 frames, enough here.
    return filesInStackText(String(new Error().stack), HOST);
  }
  try {
    const stack: unknown = new Error().stack;
    if (!Array.isArray(stack)) return filesInStackText(String(stack), HOST);
    return stack.flatMap((name: unknown) => {
      const file = typeof name === 'string' ? framePath(name, { windows: HOST.windows }) : undefined; // real URLs or paths
      return file === undefined ? [] : [file];
    });
  } finally {
    Error.prepareStackTrace = saved.prepare;
    Error.stackTraceLimit = saved.limit;
  }
}

/**
 * The files named by the frames of a stack's text, innermost first, as paths. Frames without a
 * file (runtime internals such as `node:fs` or `ext:deno_node/...`, `native`, `<anonymous>`) and
 * code run by `eval` (its caller's frame follows it) are left out. The frame formats:
 *
 * - Node: `at name (file:///app/my%20app/x.js:1:2)`, `at file:///app/x.js:1:2`, `at async name (...)`,
 *   a plain path for CommonJS (`at name (/app/x.js:1:2)`, `at C:\app\x.js:1:2`).
 * - Deno: as Node, but with half-decoded file URLs (see {@link FrameSyntax.denoCwd}).
 * - Bun: plain paths, never encoded (`at name (/app/my app (2)/x.js:1:2)`, `at /app/x.js:1:2`).
 */
export function filesInStackText(stack: string, syntax: FrameSyntax): string[] {
  const files: string[] = [];
  for (const line of stack.split('\n')) {
    const frame = /^\s*at (?:async )?(.*)$/.exec(line)?.[1];
    if (frame === undefined || frame.includes('(eval at ')) continue;
    const file = fileOfFrame(frame, syntax);
    if (file !== undefined) files.push(file);
  }
  return files;
}

/** `name (location)` or `location`, where location is `file:line:column`: the file as a path. */
function fileOfFrame(frame: string, syntax: FrameSyntax): string | undefined {
  if (!frame.endsWith(')')) return fileOfLocation(frame, syntax);
  // A path may hold " (" itself (`/apps/x (2)/a.js`): the location is the first one that reads as one.
  for (let open = frame.indexOf(' ('); open !== -1; open = frame.indexOf(' (', open + 1)) {
    const file = fileOfLocation(frame.slice(open + 2, -1), syntax);
    if (file !== undefined) return file;
  }
  return fileOfLocation(frame, syntax); // a bare location whose file name ends in ")"
}

function fileOfLocation(location: string, syntax: FrameSyntax): string | undefined {
  const name = /^(.+?)(?::\d+)?:\d+$/.exec(location)?.[1];
  return name === undefined ? undefined : framePath(name, syntax);
}

/** A frame's file name as a path: a file: URL converted, an absolute path kept, anything else undefined. */
export function framePath(name: string, syntax: FrameSyntax): string | undefined {
  const path = syntax.windows ? win32 : posix;
  if (/^file:\/\//i.test(name)) {
    const { windows, denoCwd } = syntax;
    if (denoCwd === undefined) {
      try {
        return fileURLToPath(name, { windows });
      } catch {
        return undefined;
      }
    }
    const cwdUrl = pathToFileURL(denoCwd, { windows }).href.replace(/\/?$/, '/');
    if (name.startsWith(cwdUrl)) return path.join(denoCwd, name.slice(cwdUrl.length));
    const raw = name.slice('file://'.length); // `/app/x.js`, `/C:/app/x.js`, or `server/share/x.js`
    if (!windows) return raw.startsWith('/') ? raw : undefined;
    if (/^\/[a-z]:\//i.test(raw)) return win32.normalize(raw.slice(1));
    return raw.startsWith('/') ? undefined : win32.normalize(`//${raw}`);
  }
  if (syntax.windows) return /^([a-z]:[\\/]|\\\\)/i.test(name) ? path.normalize(name) : undefined;
  return name.startsWith('/') ? name : undefined;
}
