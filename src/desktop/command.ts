// Running the OS's own tools (zenity, xclip, osascript, PowerShell, xdg-open, ...): always a
// program and an argv array, never a shell, so nothing an app passes is ever interpreted. One
// runner for all of src/desktop/, replaceable in tests so the macOS and Windows routes can be
// checked on Linux by the exact program and arguments they would run.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { logger } from '../log.js';

const log = logger('desktop');

/** What a command printed and how it ended. */
export interface CommandResult {
  /** The exit code; null if a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface CommandOptions {
  /** Written to the command's stdin, which is then closed (stdin is empty without it). */
  input?: string | Buffer;
  /** Variables added to the environment. */
  env?: Record<string, string | undefined>;
  /** Milliseconds after which the command is killed (SIGTERM) and the run rejects; none by default. */
  timeout?: number;
  /** Do not wait for the command: it runs on its own (detached, its output ignored); the result is empty once it started. */
  detached?: boolean;
  /**
   * The command forks a child that lives on and keeps its output pipes open (as `xclip -i` and
   * `wl-copy` do to keep owning the clipboard): the run resolves as soon as the command itself
   * exits with 0 (its output so far is kept, the rest is not read). A command that fails forks
   * nothing, so it is awaited to the end as usual and its stderr read whole.
   */
  forks?: boolean;
}

/** Runs `file` with `args` (no shell); resolves when it exits, rejects if it cannot start. */
export type CommandRunner = (file: string, args: readonly string[], options?: CommandOptions) => Promise<CommandResult>;

/** Where a program is found on the PATH; undefined if it is not. Replaceable with the runner. */
export type CommandFinder = (name: string) => string | undefined;

const spawnRunner: CommandRunner = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    log('run', file, args);
    const child = spawn(file, args, {
      stdio: options.detached ? 'ignore' : ['pipe', 'pipe', 'pipe'],
      env: options.env ? { ...process.env, ...options.env } : process.env,
      detached: options.detached === true,
      windowsHide: true,
    });
    child.once('error', (error) => reject(Object.assign(new Error(`${file} could not be started: ${error.message}`), { code: (error as NodeJS.ErrnoException).code, cause: error })));
    if (options.detached) {
      child.once('spawn', () => {
        child.unref();
        resolve({ code: null, signal: null, stdout: Buffer.alloc(0), stderr: '' });
      });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdin!.on('error', () => {}); // a command that exits without reading its input
    child.stdin!.end(options.input);
    let timer: NodeJS.Timeout | undefined;
    if (options.timeout !== undefined) {
      timer = setTimeout(() => {
        child.kill('SIGTERM');
        reject(new Error(`${file} did not end within ${options.timeout} ms and was stopped`));
      }, options.timeout);
    }
    if (options.forks) {
      child.once('exit', (code, signal) => {
        if (code !== 0) return; // nothing forked: 'close' follows with all of stderr
        clearTimeout(timer);
        resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
        child.stdout!.destroy(); // the forked child's copies of the pipes are no longer read
        child.stderr!.destroy();
      });
    }
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });

/** The PATH lookup: an executable regular file named `name` in a PATH folder (with PATHEXT on Windows). */
const pathFinder: CommandFinder = (name) => {
  if (isAbsolute(name)) return executable(name) ? name : undefined;
  const exts = process.platform === 'win32' ? ['', ...(process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (executable(candidate)) return candidate;
    }
  }
  return undefined;
};

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let runner: CommandRunner = spawnRunner;
let finder: CommandFinder = pathFinder;

/** Runs a command through the current runner. */
export function runCommand(file: string, args: readonly string[], options?: CommandOptions): Promise<CommandResult> {
  return runner(file, args, options);
}

/** Finds a program on the PATH through the current finder. */
export function findCommand(name: string): string | undefined {
  return finder(name);
}

/**
 * For tests: replaces the runner (and the finder) until the returned function is called. The
 * macOS and Windows routes are tested on Linux this way, by what they would run.
 */
export function setCommandRunner(fake: CommandRunner, fakeFinder?: CommandFinder): () => void {
  const before = { runner, finder };
  runner = fake;
  if (fakeFinder) finder = fakeFinder;
  return () => {
    runner = before.runner;
    finder = before.finder;
  };
}
