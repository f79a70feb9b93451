// npm test, after scripts/setup.js: two passes. The first runs the unit tests and the end-to-end
// tests on Chromium, the second the end-to-end tests again on a Firefox-family browser
// (GLUON_TEST_ENGINE=firefox; see test/e2e/helpers.ts). Without Firefox the second pass is skipped
// with a warning, except in CI (CI=true), where it must run. Exits non-zero if any file failed.
//
// Within a pass the test files run several at a time (GLUON_TEST_JOBS, default 3), each in a
// `node --test` process of its own with folders of its own: TMPDIR (temporary profiles, and
// about.e2e counts the folders there) and XDG_DATA_HOME (an app's persistent profile: seed.e2e,
// runtimes.e2e and open.e2e all run test/fixtures/seed with its default profile). Only the Firefox
// profile template (src/browser/firefox.ts) stays shared: it is written atomically for that. Where
// XDG_DATA_HOME does not place profiles (macOS, Windows) the files run one at a time. The files in
// EXCLUSIVE assert timings and run alone, before the others; the longest start first. A file's
// output is printed in one piece when it ends; each pass ends with its wall time and files' times.
//
//   node scripts/test.js [chromium|firefox] [name ...]   one pass (the unit tests come with
//                                                        chromium); or only the e2e files named
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const engines = ['chromium', 'firefox'];
const only = engines.find((engine) => engine === process.argv[2]); // one pass only
const names = process.argv.slice(only ? 3 : 2);
const separateData = process.platform !== 'darwin' && process.platform !== 'win32';
const jobs = separateData ? Math.max(1, Number(process.env.GLUON_TEST_JOBS) || 3) : 1;
const { userDataDir } = await import(pathToFileURL(join(root, 'dist', 'src', 'browser', 'profile.js')).href);
/** Where every run keeps its Firefox profile template; each file's data folder links to it. */
const templates = join(userDataDir(), 'gluon-ts', 'templates');

/**
 * Files that run alone: they assert how fast something happens (an IPC round under 50 ms, a close
 * event within 1 s of a kill, a backend answering before a 350 ms bound), which other browsers
 * starting on the same cores could break; and compat-reopen, whose Window.cdp.send('Browser.close')
 * round was seen to fail on a heavily loaded machine (the reply lost to the browser closing its pipe).
 */
const EXCLUSIVE = new Set(['compat-unheard', 'ipc', 'lifecycle', 'compat-reopen']);
/**
 * The longest files, longest first (measured on both engines; unit/ files by path), started first
 * so that the last file of a pass to end is a short one.
 */
const LONGEST_FIRST = ['handlers', 'unit/types', 'open', 'hardening', 'runtimes', 'seed', 'windows', 'unit/docs', 'cli', 'isolation', 'cdp', 'windowed', 'examples', 'v8cache', 'channel', 'resources', 'idle', 'unit/browser-process'];
const rank = (key) => (LONGEST_FIRST.includes(key) ? LONGEST_FIRST.indexOf(key) : LONGEST_FIRST.length);

/** The test files of dist/test/<dir> ending in `suffix`: { key, path } each. */
function testFiles(dir, suffix) {
  return readdirSync(join(root, 'dist', 'test', dir))
    .filter((file) => file.endsWith(suffix))
    .map((file) => ({ name: file.slice(0, -suffix.length), path: join('dist', 'test', dir, file) }));
}
const e2eFiles = testFiles('e2e', '.e2e.test.js').filter(({ name }) => names.length === 0 || names.includes(name));
const unitFiles = names.length === 0 ? testFiles('unit', '.test.js') : [];

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Runs `node --test ...args` with `env` added, its output collected; resolves with what happened. */
function runFile(label, args, env) {
  const scratch = mkdtempSync(join(tmpdir(), 'gluon-test-run-'));
  const own = separateData ? { TMPDIR: join(scratch, 'tmp'), XDG_DATA_HOME: join(scratch, 'data') } : {};
  if (separateData) {
    mkdirSync(own.TMPDIR);
    mkdirSync(templates, { recursive: true, mode: 0o700 });
    mkdirSync(join(own.XDG_DATA_HOME, 'gluon-ts'), { recursive: true });
    symlinkSync(templates, join(own.XDG_DATA_HOME, 'gluon-ts', 'templates'));
  }
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=600000', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env, ...own },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code, signal) => {
      const ms = Date.now() - started;
      try {
        rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // a browser of the file still writing there: the system's temp cleaning takes it
      }
      const count = (what) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(output)?.[1] ?? 0);
      const ok = code === 0;
      process.stdout.write(`\n# ---- ${label}\n${output}# ---- ${label}: ${ok ? 'passed' : `FAILED (exit ${code ?? signal})`} in ${seconds(ms)}\n`);
      resolve({ label, ok, ms, pass: count('pass'), fail: count('fail') + count('cancelled') });
    });
  });
}

/**
 * Runs `tasks` ({ label, args, env, exclusive }) at most `jobs` at a time, the exclusive ones
 * first and each alone. Resolves with their results in the order they ended.
 */
async function schedule(tasks) {
  tasks = [...tasks].sort((a, b) => rank(a.key) - rank(b.key));
  const results = [];
  for (const task of tasks.filter((t) => t.exclusive)) results.push(await runFile(task.label, task.args, task.env));
  const queue = tasks.filter((t) => !t.exclusive);
  const worker = async () => {
    for (let task = queue.shift(); task; task = queue.shift()) results.push(await runFile(task.label, task.args, task.env));
  };
  await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, worker));
  return results;
}

/** One pass: prints its title, runs its tasks, prints its wall time and its files' times; true if all passed. */
async function pass(title, tasks) {
  console.log(`\n# ${title}: ${tasks.length} file(s), ${jobs} at a time (${[...EXCLUSIVE].join(', ')} alone)`);
  const started = Date.now();
  const results = await schedule(tasks);
  const ms = Date.now() - started;
  const failed = results.filter((r) => !r.ok);
  const tests = results.reduce((sum, r) => sum + r.pass, 0);
  const table = [...results].sort((a, b) => b.ms - a.ms).map((r) => `#   ${seconds(r.ms).padStart(8)}  ${r.ok ? '' : 'FAILED '}${r.label}`);
  console.log(`\n# ${title}: ${failed.length ? `FAILED (${failed.map((r) => r.label).join(', ')})` : 'passed'}, ` +
    `${tests} tests passed, in ${seconds(ms)} wall time (${seconds(results.reduce((sum, r) => sum + r.ms, 0))} summed over the files)`);
  console.log(table.join('\n'));
  summary.push(`# ${title}: ${failed.length ? 'FAILED' : 'passed'} in ${seconds(ms)}`);
  return failed.length === 0;
}

const unitTasks = unitFiles.map(({ name, path }) => ({ key: `unit/${name}`, label: path, args: [path], env: {}, exclusive: false }));
const e2eTasks = (engine, env) => e2eFiles.map(({ name, path }) => ({ key: name, label: `${engine}: ${path}`, args: [path], env, exclusive: EXCLUSIVE.has(name) }));

const summary = [];
const results = [];
const started = Date.now();
if (only !== 'firefox') {
  const title = unitTasks.length ? 'unit tests, and end-to-end tests on Chromium' : 'end-to-end tests on Chromium';
  results.push(await pass(title, [...unitTasks, ...e2eTasks('chromium', { GLUON_TEST_ENGINE: 'chromium' })]));
}
if (only !== 'chromium') {
  const { findBrowser } = await import(pathToFileURL(join(root, 'dist', 'src', 'browser', 'find.js')).href);
  const firefox = await findBrowser({ forceEngine: 'firefox', argv: [], env: { ...process.env, GLUON_BROWSER: '' } }).catch((error) => error);
  if (firefox instanceof Error) {
    const why = firefox.message.split('\n')[0];
    if (process.env.CI) {
      console.error(`\n# end-to-end tests on Firefox: cannot run in CI: ${why}`);
      summary.push('# end-to-end tests on Firefox: FAILED (no Firefox in CI)');
      results.push(false);
    } else {
      console.warn(`\n# end-to-end tests on Firefox: SKIPPED: ${why} (install firefox-esr, or Firefox, to run them)`);
      summary.push('# end-to-end tests on Firefox: SKIPPED');
    }
  } else {
    results.push(await pass(`end-to-end tests on ${firefox.name}`, e2eTasks('firefox', { GLUON_TEST_ENGINE: 'firefox', GLUON_BROWSER: firefox.path })));
  }
}
console.log(`\n${summary.join('\n')}\n# all: ${results.every(Boolean) ? 'passed' : 'FAILED'} in ${seconds(Date.now() - started)}`);
process.exit(results.every(Boolean) ? 0 : 1);
