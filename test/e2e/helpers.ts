// Shared helpers for the end-to-end tests: every test opens a real headless browser.
import { spawn } from 'node:child_process';
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

/** Runs `node file args` and collects its output. */
export function runNode(
  file: string,
  args: string[] = [],
  o: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number; onStdout?: (all: string, pid: number) => void } = {},
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      o.onStdout?.(stdout, child.pid ?? 0);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
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

/** PIDs of live (not zombie) processes in process group `group`, or whose command line contains `needle`. */
export async function liveBrowserPids(group: number, needle = '\0never\0'): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const [cmdline, stat] = await Promise.all([
        readFile(`/proc/${entry}/cmdline`, 'utf8'),
        readFile(`/proc/${entry}/stat`, 'utf8'),
      ]);
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [state, , pgrp] = fields;
      if (state !== 'Z' && (Number(pgrp) === group || cmdline.includes(needle))) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
