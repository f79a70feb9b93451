// One column of the bench, in its own process (so RSS and state do not mix):
//   node bench/runner.js <ours|ours-cdp|ours-firefox|ours-bidi|gluon|raw> <open|ipc> <browser path> <work dir>
// Drives bench/app/ through one framework and prints each result as a JSON line that
// starts with RESULT_MARK on stdout (the frameworks may print their own lines too;
// Gluon 0.14 logs to stdout). scripts/bench.js runs it and collects the lines.
import { writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { COMMON_SWITCHES } from './browser.js';
import { descendants, reap } from './procs.js';
import { openRaw } from './raw-cdp.js';

export const RESULT_MARK = '@@bench ';
const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), 'app');
const STEP_TIMEOUT = 45_000;

const emit = (record) => process.stdout.write(`${RESULT_MARK}${JSON.stringify(record)}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The columns behind one small interface: open, expose, send, evaluate, close. */
async function adapterFor(framework, browserPath, workDir) {
  if (framework.startsWith('ours')) {
    const Gluon = await import('gluon-ts');
    const options = framework === 'ours-firefox' || framework === 'ours-bidi'
      // Firefox: its own headless switch; the Chromium switches do not apply.
      ? { forceBrowser: browserPath, loopbackIPC: framework === 'ours-firefox' }
      : { forceBrowser: browserPath, browserArgs: COMMON_SWITCHES, loopbackIPC: framework === 'ours' };
    return {
      open: () => Gluon.open(APP_DIR, { headless: true, incognito: true, ...options }),
      expose: (w, name, fn) => { w.ipc[name] = fn; },
      send: (w, type, data) => w.ipc.send(type, data),
      evaluate: (w, expression) => w.page.eval(expression),
      close: (w) => w.close(),
    };
  }
  if (framework === 'gluon') {
    if (process.platform === 'win32') throw new Error('the bench starts Gluon 0.14 through a POSIX shell wrapper (for its browser switches)');
    // Gluon 0.14 has no headless option and adds no --no-sandbox: it gets the common
    // switches from a wrapper script it is told to use as its browser (--browser=name,path).
    const wrapper = join(workDir, 'browser.sh');
    const quote = (s) => `'${s.replaceAll("'", "'\\''")}'`;
    writeFileSync(wrapper, `#!/bin/sh\nexec ${quote(browserPath)} ${COMMON_SWITCHES.join(' ')} "$@"\n`);
    chmodSync(wrapper, 0o755);
    // It keeps its profiles in gluon_data/ next to the running script (process.argv[1]).
    process.argv[1] = join(workDir, 'app.js');
    process.argv.push(`--browser=chromium,${wrapper}`);
    const Gluon = await import('@gluon-framework/gluon');
    return {
      open: () => Gluon.open(APP_DIR, { incognito: true }),
      expose: (w, name, fn) => { w.ipc[name] = fn; },
      send: (w, type, data) => w.ipc.send(type, data),
      // Its page.eval neither awaits promises nor returns objects by value: ask CDP directly.
      evaluate: async (w, expression) => {
        const reply = await w.cdp.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
        if (reply instanceof Error) throw reply;
        if (reply.exceptionDetails) throw new Error(reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text);
        return reply.result.value;
      },
      // Its close() kills the browser without waiting: wait for (or end) its processes here.
      close: async (w) => {
        const started = descendants(process.pid);
        w.close();
        await reap(started, 3000);
      },
    };
  }
  if (framework === 'raw') {
    return {
      open: () => openRaw(browserPath, APP_DIR, COMMON_SWITCHES),
      expose: (w, name, fn) => w.ipc.expose(name, fn),
      send: (w, type, data) => w.ipc.send(type, data),
      evaluate: (w, expression) => w.eval(expression),
      close: (w) => w.close(),
    };
  }
  throw new Error(`unknown framework '${framework}'`);
}

/** Runs `work`, failing it after STEP_TIMEOUT. */
async function step(name, work) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not finish within ${STEP_TIMEOUT / 1000} s`)), STEP_TIMEOUT);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for the page's first reply (retrying while the app document is not there yet). */
async function firstReplyAt(adapter, w) {
  const expression = `(async () => {
    while (!window.benchReady) await new Promise((r) => setTimeout(r, 2));
    return await window.benchFirstReply;
  })()`;
  for (;;) {
    try {
      const at = await adapter.evaluate(w, expression);
      if (typeof at === 'number') return at;
    } catch {
      // the document was replaced while we waited (Gluon reloads its first page): ask again
    }
    await sleep(20);
  }
}

/** The IPC measurements, on a window whose page is up. Emits each result as it comes. */
async function measureIpc(adapter, w) {
  const sequential = await step('sequential', () => adapter.evaluate(w, 'bench.sequential(2000, 200)'));
  emit({ metric: 'seqMedian', value: sequential.median });
  emit({ metric: 'seqP99', value: sequential.p99 });
  emit({ metric: 'seqMean', value: sequential.mean });

  // Page-side rounds; the first of each is a warm-up and not counted.
  const concurrent = (await step('concurrent', () => adapter.evaluate(w, 'bench.concurrent(1000, 6)'))).slice(1);
  emit({ metric: 'concurrent', value: median(concurrent), samples: concurrent });
  const echo1 = (await step('1 MB echo', () => adapter.evaluate(w, 'bench.echo(1 << 20, 4)'))).slice(1);
  emit({ metric: 'echo1', value: median(echo1), samples: echo1 });
  const echo10 = (await step('10 MB echo', () => adapter.evaluate(w, 'bench.echo(10 << 20, 4)'))).slice(1);
  emit({ metric: 'echo10', value: median(echo10), samples: echo10 });

  // backend -> page events, timed here in Node.
  const ping = { id: 7, name: 'ping', tags: ['a', 'b'], ok: true, ratio: 0.5 };
  const sendTimes = await step('send sequential', async () => {
    const reply = await adapter.send(w, 'bench ping', ping);
    if (JSON.stringify(reply) !== JSON.stringify(ping)) throw new Error(`the page listener replied ${JSON.stringify(reply)}`);
    for (let i = 0; i < 100; i++) await adapter.send(w, 'bench ping', ping);
    const times = [];
    for (let i = 0; i < 1000; i++) {
      const t0 = performance.now();
      await adapter.send(w, 'bench ping', ping);
      times.push(performance.now() - t0);
    }
    return times;
  });
  emit({ metric: 'sendMedian', value: median(sendTimes) });

  const sendConcurrent = await step('send concurrent', async () => {
    const totals = [];
    for (let round = 0; round < 4; round++) {
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 1000 }, (_, i) => adapter.send(w, 'bench ping', { ...ping, id: i })));
      totals.push(performance.now() - t0);
    }
    return totals.slice(1);
  });
  emit({ metric: 'sendConcurrent', value: median(sendConcurrent), samples: sendConcurrent });

  // After a full collection (the runner runs with --expose-gc), so the figure says what the
  // backend holds rather than when the collector last ran.
  globalThis.gc?.();
  await sleep(100);
  globalThis.gc?.();
  emit({ metric: 'rss', value: process.memoryUsage().rss / (1 << 20) });
}

/**
 * mode 'open': one launch, timed from open() to the page's first reply (the parent runs
 * several, interleaved with the other columns, so load on the machine hits all alike).
 * mode 'ipc': one launch, then the IPC measurements.
 */
async function main() {
  const [framework, mode, browserPath, workDir] = process.argv.slice(2);
  // Every process this runner started (browsers and their helpers), told to the parent as
  // found so it can end them even if this runner is killed.
  const seen = new Map();
  const note = () => {
    const fresh = descendants(process.pid).filter((p) => !seen.has(`${p.pid}:${p.start}`));
    fresh.forEach((p) => seen.set(`${p.pid}:${p.start}`, p));
    if (fresh.length) emit({ procs: fresh });
  };
  let adapter;
  let w;
  try {
    adapter = await adapterFor(framework, browserPath, workDir);
    const t0 = Date.now();
    w = await step('open', () => adapter.open());
    note();
    adapter.expose(w, 'benchHello', () => 'hello');
    adapter.expose(w, 'echo', (value) => value);
    const openMs = (await step('first reply', () => firstReplyAt(adapter, w))) - t0;
    note();
    if (mode === 'open') emit({ metric: 'open', value: openMs });
    if (mode === 'open' && typeof w.launchMs === 'number') emit({ metric: 'launch', value: w.launchMs });
    else await measureIpc(adapter, w);
  } catch (error) {
    emit({ error: String(error?.message ?? error).split('\n')[0].slice(0, 300) });
    process.exitCode = 1;
  } finally {
    note();
    if (w) await step('close', () => adapter.close(w)).catch((error) => emit({ warning: `close failed: ${error?.message ?? error}` }));
    const left = await reap([...seen.values()], 3000);
    emit({ done: true, processes: seen.size, killedAfterClose: left.length });
  }
  process.exit();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
