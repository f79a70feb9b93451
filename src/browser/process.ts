// Owning the browser's OS process: spawning it (with the CDP pipe on fds 3/4 when
// asked), remembering the end of its stderr, and killing it together with every
// helper process it started — also when Node itself exits or is interrupted, and
// (through a watchdog) when Node is killed outright.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

export interface BrowserExit {
  code: number | null;
  signal: string | null;
}

export interface BrowserProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<BrowserExit>;
  readonly hasExited: boolean;
  /** The app asked the browser itself to quit (through the protocol): it opens no more windows. */
  readonly closing: boolean;
  markClosing(): void;
  /** The last ~8 KB the browser wrote to stderr (for launch-failure messages). */
  stderrTail(): string;
  /** SIGTERM the process group, SIGKILL it after `graceMs`, then SIGKILL any straggler. */
  kill(graceMs?: number): Promise<void>;
  /** Synchronous SIGKILL of the whole group, for `process.on('exit')`. */
  killNow(): void;
}

export interface SpawnBrowserOptions {
  /** Open fds 3 (we write) and 4 (we read) for --remote-debugging-pipe. */
  pipe: boolean;
  env?: NodeJS.ProcessEnv;
  onStderr?: (line: string) => void;
  /**
   * Once the backend is gone without killing the browser (SIGKILL...), how long the browser may
   * take to quit by itself before its watchdog kills it (default 0: at once).
   */
  orphanGraceMs?: number;
}

/**
 * The watchdog's script (POSIX sh). It blocks reading its stdin, a pipe whose other end only
 * the backend holds: EOF means the backend is gone, however it died (SIGKILL included). Then it
 * gives the browser's process group up to $2 tenths of a second to go by itself, and kills what
 * is left. Its arguments are the browser's pid (its process group id) and that number: numbers
 * only, never anything else.
 */
const WATCHDOG_SCRIPT =
  'read _; i=0; while [ $i -lt "$2" ] && kill -0 -"$1" 2>/dev/null; do sleep 0.1; i=$((i+1)); done; kill -KILL -"$1" 2>/dev/null';

/**
 * Starts the watchdog of the browser whose process group is `group` (POSIX): a `sh` of its own
 * session (so a signal to the backend's terminal group does not take it too), not keeping Node
 * alive, killed by us when the browser exits. Why: Chromium notices its CDP pipe close and
 * quits, but Firefox is driven over a loopback WebSocket and would run on forever after the
 * backend's SIGKILL. A shell blocked in read costs about 1.6 MB and a few ms to start; nothing polls.
 * (No SIGTERM first: it slows Chromium's own exit, 0.1-0.25 s after its pipe closes, to over
 * 0.5 s; and Firefox's orderly quit on SIGTERM takes 1.1-1.4 s, too long for what is left of 2 s.)
 */
function startWatchdog(group: number, graceMs: number, env: NodeJS.ProcessEnv): ChildProcess | undefined {
  try {
    const tenths = String(Math.max(0, Math.round(graceMs / 100)));
    const dog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'gluon-watchdog', String(group), tenths], {
      stdio: ['pipe', 'ignore', 'ignore'],
      env,
      detached: true,
    });
    dog.on('error', () => {});
    dog.stdin!.on('error', () => {});
    dog.unref();
    (dog.stdin as unknown as { unref?: () => void }).unref?.();
    return dog.pid === undefined ? undefined : dog;
  } catch {
    return undefined; // no shell: the backend's own exit handlers still kill the browser
  }
}

function stopWatchdog(dog: ChildProcess | undefined): void {
  if (!dog || dog.exitCode !== null || dog.signalCode !== null) return;
  try {
    dog.kill('SIGKILL');
  } catch {
    // gone already
  }
}

const TAIL_CHARS = 8 * 1024;
const isWindows = process.platform === 'win32';

function delay(ms: number): { done: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { done, cancel: () => clearTimeout(timer) };
}

/** Signals the process group led by `pid`; a group that is already gone is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ESRCH' && code !== 'EPERM') throw e;
  }
}

export function spawnBrowser(path: string, args: string[], o: SpawnBrowserOptions): BrowserProcess {
  const cdp = o.pipe ? 'pipe' : 'ignore';
  const child = spawn(path, args, {
    stdio: ['ignore', 'ignore', 'pipe', cdp, cdp],
    env: o.env ?? process.env,
    // POSIX: lead a new process group, so renderer/GPU/zygote helpers can be killed together.
    detached: !isWindows,
  });

  let exit: BrowserExit | undefined;
  let closing = false;
  let resolveExit!: (e: BrowserExit) => void;
  const exited = new Promise<BrowserExit>((resolve) => (resolveExit = resolve));
  child.once('exit', (code, signal) => {
    exit = { code, signal };
    resolveExit(exit);
  });
  // A spawn failure is reported asynchronously as 'error'; we already throw below.
  child.on('error', () => {});

  if (child.pid === undefined) {
    throw new Error(
      `Could not start the browser ${path}: the operating system refused to run it ` +
        `(the file is missing or not executable, or the process limit is reached).`,
    );
  }
  const pid = child.pid;
  const watchdog = isWindows ? undefined : startWatchdog(pid, o.orphanGraceMs ?? 0, o.env ?? process.env);
  // The browser's own exit: the watchdog has nothing left to guard (and its group id may be reused).
  void exited.then(() => stopWatchdog(watchdog));

  let tail = '';
  let partial = '';
  const stderr = child.stderr!;
  stderr.setEncoding('utf8');
  stderr.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-TAIL_CHARS);
    if (!o.onStderr) return;
    partial += chunk;
    const lines = partial.split(/\r?\n/);
    partial = lines.pop() ?? '';
    if (partial.length > TAIL_CHARS) {
      lines.push(partial); // a very long unterminated line: pass it on anyway
      partial = '';
    }
    for (const line of lines) o.onStderr(line);
  });
  stderr.on('end', () => {
    if (partial && o.onStderr) o.onStderr(partial);
    partial = '';
  });
  stderr.on('error', () => {});

  const waitExit = async (ms: number) => {
    const timer = delay(ms);
    await Promise.race([exited, timer.done]);
    timer.cancel();
  };

  const killNow = () => {
    if (isWindows) {
      // /T takes the whole tree, which only works while the browser itself is alive.
      if (!exit) spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
      if (!exit) child.kill();
      return;
    }
    signalGroup(pid, 'SIGKILL');
    stopWatchdog(watchdog);
  };

  const kill = async (graceMs = 2000) => {
    if (isWindows) {
      // Windows has no SIGTERM: both ways below end the process abruptly.
      if (!exit) {
        const tk = spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
        tk.on('error', () => {});
        await waitExit(graceMs);
      }
      if (!exit) {
        child.kill();
        await waitExit(graceMs);
      }
      return;
    }
    if (!exit) {
      signalGroup(pid, 'SIGTERM');
      await waitExit(graceMs);
    }
    if (!exit) {
      signalGroup(pid, 'SIGKILL');
      await waitExit(5000);
    }
    // Helpers may outlive the browser process for a moment; take them too.
    signalGroup(pid, 'SIGKILL');
  };

  return {
    pid,
    child,
    exited,
    get hasExited() {
      return exit !== undefined;
    },
    get closing() {
      return closing;
    },
    markClosing: () => {
      closing = true;
    },
    stderrTail: () => tail,
    kill,
    killNow,
  };
}

// ---- killing browsers when Node goes away -----------------------------------

/** Live browsers, each with the temporary profile folder to delete when Node goes away. */
const live = new Map<BrowserProcess, string | undefined>();
const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function killLive(): void {
  for (const p of live.keys()) {
    try {
      p.killNow();
    } catch {
      // keep going: the others still need killing
    }
  }
  for (const dir of live.values()) {
    if (!dir) continue;
    try {
      // Synchronous: nothing asynchronous runs after 'exit' or a re-raised signal.
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    } catch {
      // best effort: a browser helper may still hold a file for a moment
    }
  }
}

function install(): void {
  installed = true;
  process.on('exit', killLive);
  for (const sig of EXIT_SIGNALS) {
    const onSignal = () => {
      killLive();
      // Nobody else handles this signal: die of it, as Node would have without us,
      // so the shell sees the conventional exit status (130 for Ctrl+C, ...).
      if (process.listeners(sig).every((l) => l === onSignal)) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
      // Otherwise the app's own listener decides when and how to exit.
    };
    // Node's signal watchers are unref'd: these listeners do not keep the process alive.
    process.on(sig, onSignal);
  }
  // Deno runs no 'exit' listeners when an uncaught error or rejection ends the process (measured,
  // Deno 2.9); its global 'error' / 'unhandledrejection' event comes just before. Unless the app
  // handles it (a Node-style listener, or a web one that prevented the default before ours ran).
  if ('Deno' in globalThis) {
    const nodeEvents = { error: 'uncaughtException', unhandledrejection: 'unhandledRejection' } as const;
    for (const [type, nodeEvent] of Object.entries(nodeEvents)) {
      globalThis.addEventListener(type, (event) => {
        if (!event.defaultPrevented && process.listenerCount(nodeEvent) === 0) killLive();
      });
    }
  }
}

/**
 * Makes sure `proc` is killed if Node exits or gets SIGINT/SIGTERM/SIGHUP, and that
 * `temporaryProfile` (if given) is deleted then too.
 * Returns the function to call once the browser has exited.
 */
export function killAllOnExit(proc: BrowserProcess, temporaryProfile?: string): () => void {
  if (!installed) install();
  live.set(proc, temporaryProfile);
  return () => {
    live.delete(proc);
  };
}
