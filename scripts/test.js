// npm test, after scripts/setup.js: the unit tests, the end-to-end tests on Chromium, and the
// end-to-end tests again on a Firefox-family browser (GLUON_TEST_ENGINE=firefox; see
// test/e2e/helpers.ts). Without Firefox its pass is skipped with a warning, except in CI (CI=true),
// where it must run. Exits non-zero if any file failed.
//
// The files of both passes share one pool and run several at a time (GLUON_TEST_JOBS, default 4),
// the longest first, each in a `node --test` process of its own with folders of its own: TMPDIR
// (temporary profiles, and about.e2e counts the folders there) and XDG_DATA_HOME (an app's persistent
// profile: seed.e2e, runtimes.e2e and open.e2e all run test/fixtures/seed with its default profile).
// Only the Firefox profile template (src/browser/firefox.ts) stays shared: it is written atomically
// for that. Where XDG_DATA_HOME does not place profiles (macOS, Windows) the files run one at a time.
// The files in ALONE assert how fast a round trip is and run first, each alone; those in QUIET
// (lifecycle) then run one at a time with one light file beside them. A file's output is printed in
// one piece when it ends; the run ends with each pass's wall time (its first file's start
// to its last file's end) and its files' times.
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
const jobs = separateData ? Math.max(1, Number(process.env.GLUON_TEST_JOBS) || 4) : 1;
const { userDataDir } = await import(pathToFileURL(join(root, 'dist', 'src', 'browser', 'profile.js')).href);
/** Where every run keeps its Firefox profile template; each file's data folder links to it. */
const templates = join(userDataDir(), 'gluon-ts', 'templates');

/**
 * Files that run alone: they assert how fast an IPC round is (the best of five rounds under 50 ms; a
 * backend answering before a 350 ms bound), which other browsers starting on the same cores could
 * break. They are short.
 */
const ALONE = new Set(['compat-unheard', 'ipc']);
/**
 * Files that run beside one light neighbour (the shortest files first) until they are done, before
 * the pool widens: lifecycle times how fast a dead backend's browser is gone (within 2 s, 20 cycles
 * of each kind); with four files beside it a cycle was seen to take 2.0-2.3 s. Their copies for the
 * two engines run together: each keeps about a third of a core busy (it mostly waits for processes
 * to end), so one after the other left a core idle for about two minutes.
 */
const QUIET = new Set(['lifecycle']);
/**
 * The longest files, longest first (measured on both engines; unit/ files by path), started first
 * so that the last file to end is a short one.
 */
const LONGEST_FIRST = ['handlers', 'unit/types', 'open', 'hardening', 'runtimes', 'cli', 'compat-reopen', 'seed', 'channel', 'windows', 'unit/docs', 'isolation', 'cdp', 'examples', 'idle', 'windowed', 'resources', 'v8cache', 'unit/browser-process'];
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
function runFile({ label, args, env, engine }) {
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
      resolve({ label, engine, ok, ms, started, ended: started + ms, pass: count('pass'), fail: count('fail') + count('cancelled') });
    });
  });
}

/**
 * Runs `tasks` ({ key, engine, label, args, env, alone, quiet }): the `alone` ones first, each
 * alone; then the `quiet` ones together with one other file beside them (the shortest first),
 * and once they are over, the rest at most `jobs` at a time, the longest first. Resolves with the
 * results in the order they ended.
 */
async function schedule(tasks) {
  // Firefox's copy of a file first: it takes longer.
  tasks = [...tasks].sort((a, b) => rank(a.key) - rank(b.key) || Number(b.engine === 'firefox') - Number(a.engine === 'firefox'));
  const results = [];
  for (const task of tasks.filter((t) => t.alone)) results.push(await runFile(task));
  const queue = tasks.filter((t) => !t.alone && !t.quiet);
  const worker = async (take) => {
    for (let task = take(); task; task = take()) results.push(await runFile(task));
  };
  let quietOver = false;
  const quietLane = (async () => {
    await Promise.all(tasks.filter((t) => t.quiet).map(async (task) => results.push(await runFile(task))));
    quietOver = true;
  })();
  // Beside the quiet files: the shortest files, one at a time; then the longest like every worker.
  const neighbour = jobs > 1 ? worker(() => (quietOver ? queue.shift() : queue.pop())) : quietLane.then(() => worker(() => queue.shift()));
  await quietLane;
  await Promise.all([neighbour, ...Array.from({ length: Math.max(0, jobs - 1) }, () => worker(() => queue.shift()))]);
  return results;
}

/** Prints one pass's result, wall time and files' times; true if all its files passed. */
function report(title, results) {
  if (results.length === 0) {
    summary.push(`# ${title}: no files`);
    return true;
  }
  const ms = Math.max(...results.map((r) => r.ended)) - Math.min(...results.map((r) => r.started));
  const failed = results.filter((r) => !r.ok);
  const tests = results.reduce((sum, r) => sum + r.pass, 0);
  const table = [...results].sort((a, b) => b.ms - a.ms).map((r) => `#   ${seconds(r.ms).padStart(8)}  ${r.ok ? '' : 'FAILED '}${r.label}`);
  console.log(`\n# ${title}: ${failed.length ? `FAILED (${failed.map((r) => r.label).join(', ')})` : 'passed'}, ` +
    `${tests} tests passed, in ${seconds(ms)} wall time (${seconds(results.reduce((sum, r) => sum + r.ms, 0))} summed over the files)`);
  console.log(table.join('\n'));
  summary.push(`# ${title}: ${failed.length ? 'FAILED' : 'passed'} in ${seconds(ms)} wall time`);
  return failed.length === 0;
}

const task = (key, engine, label, path, env) => ({ key, engine, label, args: [path], env, alone: ALONE.has(key), quiet: QUIET.has(key) });
const unitTasks = unitFiles.map(({ name, path }) => task(`unit/${name}`, 'chromium', path, path, {}));
const e2eTasks = (engine, env) => e2eFiles.map(({ name, path }) => task(name, engine, `${engine}: ${path}`, path, env));

const summary = [];
const passes = [];
const tasks = [];
const started = Date.now();
if (only !== 'firefox') {
  passes.push({ engine: 'chromium', title: unitTasks.length ? 'unit tests, and end-to-end tests on Chromium' : 'end-to-end tests on Chromium' });
  tasks.push(...unitTasks, ...e2eTasks('chromium', { GLUON_TEST_ENGINE: 'chromium' }));
}
let ok = true;
if (only !== 'chromium') {
  const { findBrowser } = await import(pathToFileURL(join(root, 'dist', 'src', 'browser', 'find.js')).href);
  const firefox = await findBrowser({ forceEngine: 'firefox', argv: [], env: { ...process.env, GLUON_BROWSER: '' } }).catch((error) => error);
  if (firefox instanceof Error) {
    const why = firefox.message.split('\n')[0];
    if (process.env.CI) {
      console.error(`\n# end-to-end tests on Firefox: cannot run in CI: ${why}`);
      summary.push('# end-to-end tests on Firefox: FAILED (no Firefox in CI)');
      ok = false;
    } else {
      console.warn(`\n# end-to-end tests on Firefox: SKIPPED: ${why} (install firefox-esr, or Firefox, to run them)`);
      summary.push('# end-to-end tests on Firefox: SKIPPED');
    }
  } else {
    passes.push({ engine: 'firefox', title: `end-to-end tests on ${firefox.name}` });
    tasks.push(...e2eTasks('firefox', { GLUON_TEST_ENGINE: 'firefox', GLUON_BROWSER: firefox.path }));
  }
}
console.log(`\n# ${passes.map((p) => p.title).join('; ')}: ${tasks.length} file(s), ${jobs} at a time (${[...ALONE].join(', ')} alone, first; then ${[...QUIET].join(', ')} with one file beside it)`);
const results = await schedule(tasks);
for (const { engine, title } of passes) ok = report(title, results.filter((r) => r.engine === engine)) && ok;
console.log(`\n${summary.join('\n')}\n# all: ${ok ? 'passed' : 'FAILED'} in ${seconds(Date.now() - started)}`);
process.exit(ok ? 0 : 1);
