// Shared helpers for the end-to-end tests: every test opens a real headless browser.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

export function openFixture(path: string, options: Gluon.OpenOptions = {}): Promise<Gluon.Window> {
  return Gluon.open(fixture(path), { headless: true, incognito: true, ...options });
}

/** Polls a page expression until it is truthy (or throws after `timeout` ms). */
export async function waitFor<T>(window: Gluon.Window, expression: string, timeout = 5000): Promise<T> {
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
export async function until(check: () => boolean | Promise<boolean>, what: string, timeout = 5000): Promise<void> {
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

/** PIDs of live (not zombie) processes in process group `group` (the browser's: it leads its own group). */
export async function liveBrowserPids(group: number): Promise<number[]> {
  return stillRunning([], group).map((proc) => proc.pid);
}

/** A process as /proc/PID/stat shows it; `start` (clock ticks since boot) tells a reused pid apart. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  start: number;
  name: string;
}

/** Every process of the machine (Linux /proc), by pid. Synchronous: one consistent look. */
export function readProcs(): Map<number, ProcInfo> {
  const procs = new Map<number, ProcInfo>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // the process ended while we looked
    }
    // pid (comm) state ppid pgrp ... starttime is field 22; comm may hold spaces and parentheses.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    procs.set(Number(entry), {
      pid: Number(entry),
      name: stat.slice(stat.indexOf('(') + 1, close),
      state: fields[0],
      ppid: Number(fields[1]),
      pgrp: Number(fields[2]),
      start: Number(fields[19]),
    });
  }
  return procs;
}

/** The processes below `root` (children, their children, ...), in `procs`. */
export function descendantsOf(root: number, procs = readProcs()): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const proc of procs.values()) {
    const list = children.get(proc.ppid);
    if (list) list.push(proc);
    else children.set(proc.ppid, [proc]);
  }
  const found: ProcInfo[] = [];
  for (let queue = [root]; queue.length; ) {
    for (const child of children.get(queue.pop()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** The arguments of a process (empty if it is gone or has none). */
function argsOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Records every process that is ever seen below `root` while it runs: looks every `everyMs` ms,
 * and whenever `look()` is called (e.g. the moment the child says it is ready). Also records
 * the helpers that left the tree at birth (a double fork reparents them to init, in a session
 * of their own, e.g. Firefox's crashhelper): processes started after `root` that name a
 * recorded process's pid as one of their arguments.
 */
export function watchDescendants(root: number, everyMs = 100): { seen: Map<number, ProcInfo>; look(): void; stop(): void } {
  const seen = new Map<number, ProcInfo>();
  const ruledOut = new Set<string>(); // `pid@start` of processes already looked at and not ours
  let rootStart: number | undefined;
  const look = () => {
    const procs = readProcs();
    rootStart ??= procs.get(root)?.start;
    for (const proc of descendantsOf(root, procs)) if (!seen.has(proc.pid)) seen.set(proc.pid, proc);
    if (rootStart === undefined) return;
    const ours = new Set([...seen.keys()].map(String));
    for (const proc of procs.values()) {
      const key = `${proc.pid}@${proc.start}`;
      if (proc.start < rootStart || seen.has(proc.pid) || ruledOut.has(key) || proc.pid === process.pid) continue;
      if (argsOf(proc.pid).slice(1).some((arg) => ours.has(arg))) seen.set(proc.pid, proc);
      else ruledOut.add(key);
    }
  };
  look();
  const timer = setInterval(look, everyMs);
  return { seen, look, stop: () => clearInterval(timer) };
}

/**
 * Which of `procs` still run: the same process (same pid and start time) and not a zombie;
 * plus any live process in the process group `group` (the browser's), if given.
 */
export function stillRunning(procs: Iterable<ProcInfo>, group?: number): ProcInfo[] {
  const now = readProcs();
  const alive = new Map<number, ProcInfo>();
  for (const proc of procs) {
    const current = now.get(proc.pid);
    if (current && current.start === proc.start && current.state !== 'Z') alive.set(proc.pid, current);
  }
  if (group !== undefined) {
    for (const proc of now.values()) if (proc.pgrp === group && proc.state !== 'Z' && proc.pid !== process.pid) alive.set(proc.pid, proc);
  }
  return [...alive.values()];
}

/** SIGKILLs `procs` that still run (a failed test must not leave browsers behind). */
export function killStillRunning(procs: Iterable<ProcInfo>): void {
  for (const proc of stillRunning(procs)) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** Polls `stillRunning` until nothing is left, or `timeout` ms: what is still running then. */
export async function waitForNoneRunning(procs: Iterable<ProcInfo>, group?: number, timeout = 3000): Promise<ProcInfo[]> {
  const list = [...procs];
  const deadline = Date.now() + timeout;
  let left = stillRunning(list, group);
  while (left.length && Date.now() < deadline) {
    await sleep(50);
    left = stillRunning(list, group);
  }
  return left;
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

/** A command running in its own process group (as a terminal runs it), its output collected. */
export type GroupRun = ReturnType<typeof startInGroup>;

export function startInGroup(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const tree = watchDescendants(child.pid!, 100);
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

/** Ctrl+C, then: the command exits, and no process it ever started is left. */
export async function interruptAndCheck(run: GroupRun, what: string): Promise<void> {
  run.tree.look();
  run.interrupt();
  const code = await Promise.race([run.exited, sleep(30_000).then(() => 'timeout' as const)]);
  run.tree.stop();
  const left = await waitForNoneRunning(run.tree.seen.values(), undefined, 5000);
  killStillRunning(run.tree.seen.values());
  assert.notEqual(code, 'timeout', `${what} did not exit within 30 s of Ctrl+C:\n${run.output}`);
  assert.deepEqual(left.map((proc) => `${proc.pid} ${proc.name}`), [], `${what} left processes behind (of ${run.tree.seen.size} seen)`);
  console.log(`# ${what}: exited with ${code} after Ctrl+C; 0 of ${run.tree.seen.size} processes of its tree left`);
}
