// Shared helpers for the end-to-end tests: every test opens a real headless browser.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as Gluon from '../../src/index.js';

/**
 * The engine this run tests: GLUON_TEST_ENGINE=firefox runs the whole suite on a Firefox-family
 * browser (npm test runs it once per engine). Every open() of the tests, and of the apps they
 * start as child processes, finds that browser through GLUON_BROWSER.
 */
export const ENGINE: 'chromium' | 'firefox' = process.env.GLUON_TEST_ENGINE === 'firefox' ? 'firefox' : 'chromium';
if (ENGINE === 'firefox' && !process.env.GLUON_BROWSER) {
  const { findBrowser } = await import('../../src/browser/find.js');
  process.env.GLUON_BROWSER = (await findBrowser({ forceEngine: 'firefox', argv: [] })).path;
}

/** The repository root (tests run from dist/test/e2e). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixture = (...parts: string[]) => join(repoRoot, 'test', 'fixtures', ...parts);

/** The Firefox-family browser installed here (whatever GLUON_BROWSER says), or undefined. */
export async function installedFirefox(): Promise<{ path: string } | undefined> {
  const { findBrowser } = await import('../../src/browser/find.js');
  return findBrowser({ forceEngine: 'firefox', argv: [], env: { ...process.env, GLUON_BROWSER: '' } }).catch(() => undefined);
}

/**
 * Opens a fixture headless in a temporary profile. Its browser gets a mark of its own (see
 * markedProcesses): the environment is read when the browser is spawned, so windows opened at
 * the same time by one test may share a mark.
 */
export async function openFixture(path: string, options: Gluon.OpenOptions = {}): Promise<Gluon.Window> {
  const mark = newMark();
  const before = process.env[MARK_VARIABLE];
  process.env[MARK_VARIABLE] = mark;
  try {
    const window = await Gluon.open(fixture(path), { headless: true, incognito: true, ...options });
    windowMarks.set(window, mark);
    return window;
  } finally {
    if (before === undefined) delete process.env[MARK_VARIABLE];
    else process.env[MARK_VARIABLE] = before;
  }
}

/**
 * One browser for the windows of a test file whose tests check what happens in a window, not how
 * a browser starts or ends: `const open = sharedBrowser()` at the top of the file, then
 * `open(path, options)` as openFixture (`path` a fixture's name or an absolute path). The first
 * call launches the browser on a temporary profile with a keeper window that stays open until the
 * file's tests are over (so the browser stays up between tests); every window after opens in that
 * browser, as an app's second window does. Such a window costs Firefox about a third of the CPU of
 * a whole launch, and the suite runs on two cores.
 *
 * Only page-level options apply: what is decided at launch (allowHTTP, userAgent, browserArgs,
 * devtools, the app's name and icon) comes from the keeper's launch. The windows share the
 * profile's storage, and they carry no mark of their own: a test that counts or kills its
 * browser's processes (windowMark, liveBrowserPids) or closes its browser uses openFixture.
 */
export function sharedBrowser(): (path: string, options?: Gluon.OpenOptions) => Promise<Gluon.Window> {
  let keeper: Promise<{ window: Gluon.Window; dataPath: string }> | undefined;
  after(async () => {
    const kept = await keeper?.catch(() => undefined);
    if (!kept) return;
    await kept.window.close();
    rmSync(kept.dataPath, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });
  return async (path, options = {}) => {
    keeper ??= (async () => {
      const dataPath = mkdtempSync(join(tmpdir(), 'gluon-ts-shared-'));
      return { window: await openFixture('app', { incognito: false, dataPath }), dataPath };
    })();
    const { window, dataPath } = await keeper;
    assert.equal(window.closed, false, 'the shared browser is still running');
    const opened = await Gluon.open(isAbsolute(path) ? path : fixture(path), { headless: true, ...options, incognito: false, dataPath });
    assert.equal(opened.browser.pid, window.browser.pid, 'a window of the shared browser');
    return opened;
  };
}

/**
 * How long a poll waits by default. A failing check costs this long, a passing one no more than
 * it needs: on the 2-core CI machine with four test files at once, a Firefox page was seen to
 * take over 5 s to run its module scripts and a fetch after open() (open.e2e, CI on 7c9105f).
 */
const POLL_TIMEOUT = 15_000;

/** Polls a page expression until it is truthy (or throws after `timeout` ms). */
export async function waitFor<T>(window: Gluon.Window, expression: string, timeout = POLL_TIMEOUT): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    let value: T | undefined;
    let failure: unknown;
    try {
      value = await window.page.eval<T>(expression);
    } catch (error) {
      failure = error; // the page may be between two documents: try again
    }
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for the page: ${expression}${failure ? ` (last error: ${failure})` : ''}`);
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a check in Node until it holds (or throws after `timeout` ms, naming `what`). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeout = POLL_TIMEOUT): Promise<void> {
  for (const end = Date.now() + timeout; !(await check()); await sleep(10)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Runs `node file args` (or `runtime file args`) and collects its output. */
export function runNode(
  file: string,
  args: string[] = [],
  o: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    timeout?: number;
    /** Called with everything printed so far; `child.stdin` is there when `stdin` is true. */
    onStdout?: (all: string, pid: number, child: ChildProcess) => void;
    /** Give the child a stdin pipe (default: none). */
    stdin?: boolean;
    /** Called once the child is started (e.g. to watch its process tree). */
    onSpawn?: (child: ChildProcess) => void;
    /** The command and its first arguments to run `file` with, e.g. ['deno', 'run', '-A'] (default: this Node). */
    runtime?: string[];
  } = {},
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [command, ...before] = o.runtime ?? [process.execPath];
    const child = spawn(command, [...before, file, ...args], { cwd: o.cwd, env: o.env ?? process.env, stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    child.stdin?.on('error', () => {}); // the child may be gone before it reads
    o.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      o.onStdout?.(stdout, child.pid ?? 0, child);
    });
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not finish within ${o.timeout ?? 30000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, o.timeout ?? 30000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// ------------------------------------------------------------------ Gluon-style apps (compat/)

/** Links compat/node_modules/@gluon-framework/gluon to this repository (a file: dependency, no network). */
export function linkCompatApps(): void {
  const npm = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['install', '--offline'], { cwd: join(repoRoot, 'compat'), encoding: 'utf8', shell: process.platform === 'win32' });
  assert.equal(npm.status, 0, `npm install in compat/ failed: ${npm.stderr}`);
}

/**
 * Runs the Gluon-style app compat/<name>/index.js headless (COMPAT_REPORT=1), with Node or
 * `runtime`, from its folder or `cwd`, and returns the JSON it printed as its last line of output.
 */
export async function runCompatApp(name: string, o: { env?: NodeJS.ProcessEnv; args?: string[]; timeout?: number; runtime?: string[]; cwd?: string } = {}): Promise<any> {
  const dir = join(repoRoot, 'compat', name);
  const { code, stdout, stderr } = await runNode(join(dir, 'index.js'), o.args ?? [], {
    cwd: o.cwd ?? dir,
    runtime: o.runtime,
    env: { ...process.env, GLUON_HEADLESS: '1', COMPAT_REPORT: '1', ...o.env },
    timeout: o.timeout ?? 60_000,
  });
  assert.equal(code, 0, `${name} exited with ${code}: ${stderr}`);
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line);
}

// ------------------------------------------------------------------ counting the processes of a run

// Browsers run in a session of their own (and Firefox's crash helper in yet another), and other
// test runs drive browsers on the same machine at the same time: neither the backend's process
// tree nor its group tells which browser processes belong to a run. A mark does: each run gets a
// unique value of GLUON_TEST_MARK in its environment, which the backend, its browser and every
// helper of that browser inherit, and the counting reads /proc/PID/environ across the machine.

/** The environment variable carrying a run's mark. */
export const MARK_VARIABLE = 'GLUON_TEST_MARK';

/** A mark no other run carries. */
export function newMark(): string {
  return `gluon-test-${process.pid}-${randomBytes(8).toString('hex')}`;
}

/** A process as /proc/PID/stat shows it; `start` (clock ticks since boot) tells a reused pid apart. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  /** Its session: a browser leads one of its own. */
  sid: number;
  state: string;
  start: number;
  name: string;
}

/** One process (Linux /proc), or undefined if it is gone. */
export function readProc(pid: number): ProcInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // pid (comm) state ppid pgrp session ... starttime is field 22; comm may hold spaces and parentheses.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return {
    pid,
    name: stat.slice(stat.indexOf('(') + 1, close),
    state: fields[0]!,
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    sid: Number(fields[3]),
    start: Number(fields[19]),
  };
}

/** The live (not zombie) processes anywhere on this machine carrying `mark`, this test process aside. */
export function markedProcesses(mark: string): ProcInfo[] {
  const needle = Buffer.from(`${MARK_VARIABLE}=${mark}\0`);
  const found: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue; // gone meanwhile, or another user's
    }
    const at = environ.indexOf(needle);
    if (at === -1 || (at > 0 && environ[at - 1] !== 0)) continue;
    const proc = readProc(Number(entry));
    if (proc && proc.state !== 'Z') found.push(proc);
  }
  return found;
}

/**
 * Records the processes of one run (those carrying `mark`) while it runs: every `everyMs` ms and
 * whenever `look()` is called (e.g. the moment the run says its window is up). `browser()` is what
 * was seen of its browsers: the processes outside the session of `root` (the process the test
 * started), the watchdog shell aside.
 */
export function watchRun(mark: string, root: number, everyMs = 100) {
  const seen = new Map<string, ProcInfo>(); // by pid@start
  const rootSession = readProc(root)?.sid;
  const look = () => {
    for (const proc of markedProcesses(mark)) seen.set(`${proc.pid}@${proc.start}`, proc);
  };
  look();
  const timer = setInterval(look, everyMs);
  return {
    mark,
    seen,
    look,
    stop: () => clearInterval(timer),
    browser: () => [...seen.values()].filter((proc) => proc.sid !== rootSession && proc.name !== 'sh'),
  };
}

export type RunWatch = ReturnType<typeof watchRun>;

/** Polls until no process carries `mark`, or `timeout` ms: what is still running then, and after how long. */
export async function waitForNoneMarked(mark: string, timeout = 5000): Promise<{ left: ProcInfo[]; ms: number }> {
  const started = Date.now();
  let left = markedProcesses(mark);
  while (left.length && Date.now() - started < timeout) {
    await sleep(20);
    left = markedProcesses(mark);
  }
  return { left, ms: Date.now() - started };
}

/** SIGKILLs every process of the run still there (a failed test must not leave browsers behind). */
export function killMarked(mark: string): void {
  killStillRunning(markedProcesses(mark));
}

/** "pid name (state)" of each process, for messages. */
export function describeProcs(procs: Iterable<ProcInfo>): string {
  return [...procs].map((proc) => `${proc.pid} ${proc.name} (${proc.state})`).join(', ');
}

/** Which of `procs` still run: the same process (same pid and start time) and not a zombie. */
export function stillRunning(procs: Iterable<ProcInfo>): ProcInfo[] {
  const alive: ProcInfo[] = [];
  for (const proc of procs) {
    const current = readProc(proc.pid);
    if (current && current.start === proc.start && current.state !== 'Z') alive.push(current);
  }
  return alive;
}

/** SIGKILLs `procs` that still run. */
export function killStillRunning(procs: Iterable<ProcInfo>): void {
  for (const proc of stillRunning(procs)) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** Polls `stillRunning` until none of `procs` is left, or `timeout` ms: what is still running then. */
export async function waitForNoneRunning(procs: Iterable<ProcInfo>, timeout = 3000): Promise<ProcInfo[]> {
  const list = [...procs];
  const deadline = Date.now() + timeout;
  let left = stillRunning(list);
  while (left.length && Date.now() < deadline) {
    await sleep(50);
    left = stillRunning(list);
  }
  return left;
}

/** The marks of the windows openFixture opened. */
const windowMarks = new WeakMap<Gluon.Window, string>();

/** The mark of the browser of a window opened by openFixture. */
export function windowMark(window: Gluon.Window): string {
  const mark = windowMarks.get(window);
  if (!mark) throw new Error('the window was not opened by openFixture, so its processes carry no mark');
  return mark;
}

/** The live processes of the browser of a window opened by openFixture (its watchdog included). */
export function liveBrowserPids(window: Gluon.Window): number[] {
  return markedProcesses(windowMark(window)).map((proc) => proc.pid);
}

/** TCP sockets in LISTEN state held by the processes `pids`, as `address:port` (Linux /proc, its hex address). */
export async function listeningSockets(pids: number[]): Promise<string[]> {
  const { readdir, readFile, readlink } = await import('node:fs/promises');
  const inodes = new Set<string>();
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    }
  }
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A' || !inodes.has(fields[9])) continue; // 0A: LISTEN
      const [address, port] = fields[1].split(':');
      found.push(`${address}:${Number.parseInt(port, 16)}`);
    }
  }
  return found;
}

/** Whether a /proc/net/tcp{,6} hex address (as listeningSockets gives it) is a loopback one: 127.0.0.0/8, ::1 or ::ffff:127.x. */
export function isLoopbackAddress(hex: string): boolean {
  if (hex.length === 8) return hex.endsWith('7F'); // IPv4, little-endian: 127.0.0.1 is 0100007F
  if (hex === '00000000000000000000000001000000') return true; // ::1
  return hex.startsWith('0000000000000000FFFF0000') && hex.endsWith('7F'); // ::ffff:127.x.y.z
}

// ------------------------------------------------------------------ commands run as from a terminal

/**
 * A command running in its own process group (as a terminal runs it), its output collected; its
 * processes (and its browsers') carry a mark of their own, recorded by `tree` (see watchRun).
 */
export type GroupRun = ReturnType<typeof startInGroup>;

export function startInGroup(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const mark = newMark();
  const child = spawn(command, args, { cwd, env: { ...env, [MARK_VARIABLE]: mark }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const tree = watchRun(mark, child.pid!);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    tree,
    get output() {
      return output;
    },
    exited,
    /** Waits until the output matches `pattern` (after `from` characters). */
    async waitFor(pattern: RegExp, what: string, timeout = 60_000, from = 0): Promise<RegExpMatchArray> {
      const deadline = Date.now() + timeout;
      for (;;) {
        const match = output.slice(from).match(pattern);
        if (match) return match;
        if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before ${what}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output}`);
        await sleep(50);
      }
    },
    /** Ctrl+C in a terminal: SIGINT to the whole foreground process group. */
    interrupt(): void {
      try {
        process.kill(-child.pid!, 'SIGINT');
      } catch {
        // already gone
      }
    },
  };
}

/** Ctrl+C, then: the command exits, and no process of its run (its browser's included) is left anywhere. */
export async function interruptAndCheck(run: GroupRun, what: string): Promise<void> {
  run.tree.look();
  run.interrupt();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, 30_000, 'timeout')));
  const code = await Promise.race([run.exited, timeout]);
  clearTimeout(timer); // a pending timer would keep the test file's process alive for 30 s
  run.tree.stop();
  const { left } = await waitForNoneMarked(run.tree.mark, 5000);
  killMarked(run.tree.mark);
  assert.notEqual(code, 'timeout', `${what} did not exit within 30 s of Ctrl+C:\n${run.output}`);
  const browser = run.tree.browser();
  assert.ok(browser.length >= 2, `${what}: its browser was seen (${describeProcs(run.tree.seen.values())})`);
  assert.equal(describeProcs(left), '', `${what} left processes behind (of ${run.tree.seen.size} seen)`);
  console.log(`# ${what}: exited with ${code} after Ctrl+C; 0 of ${run.tree.seen.size} processes of its run (${browser.length} of its browser) left`);
}
