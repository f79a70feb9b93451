// The benchmark harness (npm run bench, after scripts/setup.js has built dist/):
// runs bench/runner.js for each column of bench/report.js's COLUMNS, always
// in a fresh Node process: first one launch per column on a new per-user data folder (the first
// start on a new machine), then three rounds of one launch per column, interleaved, for
// open-to-first-reply, then three rounds of one IPC process per column, interleaved too. It collects
// the JSON lines they print, prints a table and writes BENCHMARKS.md at the repository root. A column that cannot run (Gluon not
// installed, a crash, a timeout) is reported as unavailable, with why; the script still
// finishes. Every browser a runner started is gone when it ends.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem, type, arch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMON_SWITCHES, browserVersion, findBenchBrowser, findBenchFirefox } from '../bench/browser.js';
import { alive, kill } from '../bench/procs.js';
import { COLUMNS, IPC_METRICS, markdownReport, textReport } from '../bench/report.js';
import { RESULT_MARK } from '../bench/runner.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNNER = join(root, 'bench', 'runner.js');
/** Longest runs, so the whole bench ends even if a column hangs. */
const TIMEOUTS = { open: 30_000, ipc: 120_000 };
const OPEN_ROUNDS = 3;
const IPC_ROUNDS = 3;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Runs one runner process; resolves to { metrics, samples, error?, procs } (procs: what it started). */
function runOnce(id, mode, browserPath, workDir) {
  return new Promise((resolve) => {
    const result = { metrics: {}, samples: {}, procs: [] };
    const child = spawn(process.execPath, ['--expose-gc', RUNNER, id, mode, browserPath, workDir], {
      cwd: root,
      // Temporary files (browser profiles) go to the work folder, removed at the end even
      // when something exits before cleaning up after itself.
      // The per-user data folder too (gluon-ts keeps Firefox's start-up caches for new profiles
      // there): each column starts with none, as on a new machine, and keeps them across rounds.
      env: { ...process.env, TMPDIR: workDir, TMP: workDir, TEMP: workDir, XDG_DATA_HOME: join(workDir, 'data'), LOCALAPPDATA: join(workDir, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so whatever it leaves behind can be ended together.
      detached: process.platform !== 'win32',
    });
    const tail = [];
    const keep = (line) => {
      tail.push(line);
      if (tail.length > 12) tail.shift();
    };
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        // A framework's own output may share the line (Gluon 0.14 prints progress dots).
        const at = line.indexOf(RESULT_MARK);
        if (at === -1) {
          keep(line);
          continue;
        }
        let record;
        try {
          record = JSON.parse(line.slice(at + RESULT_MARK.length));
        } catch {
          keep(line);
          continue;
        }
        if (record.metric) result.metrics[record.metric] = record.value;
        if (record.metric && record.samples) result.samples[record.metric] = record.samples;
        if (record.error) result.error = record.error;
        if (record.procs) result.procs.push(...record.procs);
      }
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-2000); });
    const timer = setTimeout(() => {
      result.error ??= `did not finish within ${TIMEOUTS[mode] / 1000} s`;
      endGroup(child.pid);
    }, TIMEOUTS[mode]);
    child.on('error', (error) => { result.error ??= `could not start: ${error.message}`; });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      endGroup(child.pid); // helpers of a browser the runner could not close
      if (!result.error && (code !== 0 || signal)) {
        const why = (stderr.trim() || tail.join('\n')).split('\n').filter(Boolean).slice(-3).join(' | ');
        result.error = `the runner exited with ${signal ?? `code ${code}`}${why ? `: ${why}` : ''}`;
      }
      // A runner that was killed could not close its browser: end what it started.
      kill(alive(result.procs));
      resolve(result);
    });
  });
}

function endGroup(pgid) {
  if (process.platform === 'win32' || !pgid) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // the group is already empty
  }
}

function machineInfo(browser, firefox) {
  const list = cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    os: `${type()} ${release()} (${process.platform}/${arch()})`,
    cpus: `${list.length} x ${list[0]?.model?.trim() ?? 'unknown CPU'}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB RAM`,
    node: process.version,
    browser: `${browser.version ?? 'unknown version'} (${browser.name} on PATH)`,
    firefox: firefox ? `${firefox.version ?? 'unknown version'} (${firefox.name} on PATH)` : 'none found (set BENCH_FIREFOX or install firefox-esr)',
    switches: COMMON_SWITCHES.join(' '),
  };
}

async function main() {
  const started = Date.now();
  if (!existsSync(join(root, 'dist', 'src', 'index.js'))) {
    console.error('dist/ is missing: build first (npm run build, or run this as npm run bench).');
    process.exit(1);
  }
  const found = findBenchBrowser();
  // Also loads the browser's files into the page cache before the first timed launch.
  const browser = { ...found, version: browserVersion(found.path) };
  const foundFirefox = findBenchFirefox();
  const firefox = foundFirefox && { ...foundFirefox, version: browserVersion(foundFirefox.path) };
  const pathFor = (id) => (COLUMNS.find((column) => column.id === id)?.browser === 'firefox' ? firefox?.path : browser.path);
  console.log(`Benchmarking with ${browser.version ?? browser.name} (${browser.path}) and ${firefox ? `${firefox.version ?? firefox.name} (${firefox.path})` : 'no Firefox'}; this takes a few minutes.\n`);

  const work = await mkdtemp(join(tmpdir(), 'gluon-bench-'));
  const results = Object.fromEntries(COLUMNS.map(({ id }) => [id, { metrics: {}, samples: {}, procs: [], retried: [] }]));
  for (const { id, browser: engine } of COLUMNS) {
    if (engine === 'firefox' && !firefox) results[id].error = 'no Firefox-family browser found (set BENCH_FIREFOX or install firefox-esr)';
  }
  // A run that fails (a hang, a crash) is run once more, and the report says so; a column
  // whose second try fails too is reported unavailable from there on.
  const run = async (id, mode) => {
    const dir = join(work, id);
    await mkdir(dir, { recursive: true });
    let once = await runOnce(id, mode, pathFor(id), dir);
    if (once.error) {
      results[id].retried.push(`${mode === 'open' ? 'launch' : 'IPC run'}: ${once.error}`);
      results[id].procs.push(...once.procs);
      once = await runOnce(id, mode, pathFor(id), dir);
    }
    const column = results[id];
    column.procs.push(...once.procs);
    Object.assign(column.metrics, once.metrics);
    Object.assign(column.samples, once.samples);
    if (once.error) column.error = `${mode === 'open' ? 'launch' : 'IPC run'}: ${once.error}`;
    return once;
  };
  try {
    // open() -> first reply (and, in the raw column, the browser's bare start): one launch per
    // process, the columns taking turns.
    // First, one launch per column on its new data folder: the first start on a new machine.
    const first = [];
    for (const { id, title, open } of COLUMNS) {
      if (open === false || results[id].error) continue;
      const once = await run(id, 'open');
      if (typeof once.metrics.open === 'number') {
        results[id].metrics.openFirst = once.metrics.open;
        delete results[id].metrics.open;
        delete results[id].metrics.launch;
      }
      first.push(`${title} ${once.error ? 'failed' : `${Math.round(once.metrics.open)} ms`}`);
    }
    console.log(`  first launch: ${first.join(', ')}`);
    const ROUND_METRICS = ['open', 'launch'];
    const rounds = Object.fromEntries(COLUMNS.map(({ id }) => [id, Object.fromEntries(ROUND_METRICS.map((key) => [key, []]))]));
    for (let round = 1; round <= OPEN_ROUNDS; round++) {
      const line = [];
      for (const { id, title, open } of COLUMNS) {
        if (open === false || results[id].error) continue; // a column that failed once is not tried again
        const once = await run(id, 'open');
        for (const key of ROUND_METRICS) if (typeof once.metrics[key] === 'number') rounds[id][key].push(once.metrics[key]);
        line.push(`${title} ${once.error ? 'failed' : `${Math.round(once.metrics.open)} ms`}`);
      }
      console.log(`  open round ${round}: ${line.join(', ')}`);
    }
    for (const { id } of COLUMNS) {
      for (const key of ROUND_METRICS) {
        if (rounds[id][key].length) {
          results[id].metrics[key] = median(rounds[id][key]);
          results[id].samples[key] = rounds[id][key];
        } else {
          delete results[id].metrics[key];
        }
      }
    }
    // The IPC measurements: one process per column and round, the columns taking turns, so a
    // slow spell of the machine does not fall on one column only; each figure is the median of
    // the rounds.
    const ipcRuns = Object.fromEntries(COLUMNS.map(({ id }) => [id, []]));
    for (let round = 1; round <= IPC_ROUNDS; round++) {
      const line = [];
      for (const { id, title } of COLUMNS) {
        if (results[id].error) continue;
        const t0 = Date.now();
        const once = await run(id, 'ipc');
        if (!once.error) ipcRuns[id].push(once.metrics);
        line.push(`${title} ${once.error ? `failed (${once.error.slice(0, 200)})` : `${((Date.now() - t0) / 1000).toFixed(0)} s`}`);
      }
      console.log(`  IPC round ${round}: ${line.join(', ')}`);
    }
    for (const { id } of COLUMNS) {
      for (const key of IPC_METRICS) {
        const values = ipcRuns[id].map((metrics) => metrics[key]).filter((value) => typeof value === 'number');
        if (values.length) {
          results[id].metrics[key] = median(values);
          results[id].samples[key] = values;
        }
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => {});
  }
  const procs = COLUMNS.flatMap(({ id }) => results[id].procs);

  console.log(`\n${textReport(results)}\n`);
  await writeFile(join(root, 'BENCHMARKS.md'), markdownReport(results, machineInfo(browser, firefox)));
  console.log(`Wrote BENCHMARKS.md (${((Date.now() - started) / 1000).toFixed(0)} s in all).`);

  // Every browser process a runner saw must be gone by now.
  const left = alive(procs);
  if (left.length) {
    console.warn(`Ending ${left.length} browser process(es) left behind: ${left.map((p) => p.pid).join(', ')}`);
    kill(left);
  }
}

await main();
