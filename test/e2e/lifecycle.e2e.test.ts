// Window lifecycle: close(), `closed`, the close event, a browser that dies, and a backend
// that goes in every way it can (SIGKILL included): no browser process may be left behind.
// Processes are counted by a mark each run carries in its environment (helpers.ts:
// markedProcesses), across the whole machine: browsers run in sessions of their own.
import type { ChildProcess } from 'node:child_process';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import {
  describeProcs, ENGINE, fixture, killMarked, liveBrowserPids, MARK_VARIABLE, newMark, openFixture, runNode, waitForNoneMarked, watchRun, windowMark, type RunWatch,
} from './helpers.js';
import type * as Gluon from '../../src/index.js';

/** The processes of the window's browser, polled until none is left (or 3 s): the pids still running then. */
async function waitForNoBrowser(win: Gluon.Window): Promise<number[]> {
  return (await waitForNoneMarked(windowMark(win), 3000)).left.map((proc) => proc.pid);
}

test('close() closes the window: closed is true, the close event fires, no browser process is left', async () => {
  const win = await openFixture('app');
  assert.ok(liveBrowserPids(win).length >= 2, 'the browser and its helpers carry the window\'s mark');
  const events: string[] = [];
  win.on('close', ({ reason }) => events.push(reason));
  assert.equal(win.closed, false);
  await win.close();
  assert.equal(win.closed, true);
  assert.deepEqual(events, ['the window was closed by the app']);
  assert.equal(existsSync(win.browser.profile), false, 'the temporary profile is gone when close() resolves');
  assert.deepEqual(await waitForNoBrowser(win), []);
  await win.close(); // a second close is harmless
});

/**
 * Runs a fixture as a backend of its own, its run marked (helpers.ts: watchRun), and records the
 * processes of the run while it runs. Once the fixture prints a line matching `ready`, they are
 * recorded once more and `onReady` runs (`triggeredAt` is then). Whatever the test then finds,
 * no process of the run outlives the test: a failing run does not leak browsers.
 */
async function runWatched(
  t: TestContext,
  file: string,
  args: string[],
  o: { ready: RegExp; onReady: (match: RegExpExecArray, child: ChildProcess) => void; stdin?: boolean },
): Promise<{ run: Awaited<ReturnType<typeof runNode>>; watch: RunWatch; triggeredAt: number }> {
  const mark = newMark();
  let watch: RunWatch | undefined;
  t.after(() => {
    watch?.stop();
    killMarked(mark);
  });
  let triggeredAt = 0;
  const run = await runNode(file, args, {
    timeout: 30000,
    stdin: o.stdin,
    env: { ...process.env, [MARK_VARIABLE]: mark },
    onSpawn: (child) => (watch = watchRun(mark, child.pid!)),
    onStdout: (all, _pid, child) => {
      const match = o.ready.exec(all);
      if (triggeredAt || !match) return;
      watch!.look();
      triggeredAt = Date.now();
      o.onReady(match, child);
    },
  });
  watch!.stop();
  return { run, watch: watch!, triggeredAt };
}

test('the browser killed mid-call: close event within 1 s, every pending call rejects, handler work is let go, Node exits by itself', async (t) => {
  // test/fixtures/death.mjs leaves calls pending both ways and prints READY; the test SIGKILLs
  // the browser then. What the backend saw comes back as lines `WHAT {json}` (at: Date.now()).
  let browserPid = 0;
  const { run, watch, triggeredAt: killedAt } = await runWatched(t, fixture('death.mjs'), [], {
    ready: /^READY (\{.*\})\n/m,
    onReady: (ready) => {
      browserPid = JSON.parse(ready[1]).pid;
      process.kill(browserPid, 'SIGKILL');
    },
  });
  const exitedAt = Date.now();
  const { code, signal, stdout, stderr } = run;
  const context = `\nstdout:\n${stdout}\nstderr:\n${stderr}`;
  assert.ok(killedAt > 0, `the fixture never got ready${context}`);
  const lines = stdout.split('\n').filter(Boolean).map((line) => {
    const space = line.indexOf(' ');
    return { kind: line.slice(0, space), ...JSON.parse(line.slice(space + 1)) };
  });
  const all = (kind: string) => lines.filter((line) => line.kind === kind);

  // The window: closed, and said so at once.
  const [close, ...more] = all('CLOSE');
  assert.ok(close && more.length === 0, `one close event${context}`);
  assert.match(close.reason, /the browser exited|closed its protocol connection/);
  assert.equal(close.closed, true, 'Window.closed is true when the close event fires');
  const closeMs = close.at - killedAt;
  assert.ok(closeMs < 1000, `close event after ${closeMs} ms`);

  // Every backend call pending on the page rejects, saying why; so do calls made after.
  const settled = new Map(all('SETTLED').map((line) => [line.what, line]));
  assert.deepEqual([...settled.keys()].sort(), ['page function', 'page.eval', 'send', 'send with a 60 s timeout'], `every pending call settles${context}`);
  for (const [what, line] of settled) {
    assert.equal(line.ok, false, `${what} rejects`);
    if (what === 'page.eval') {
      // The engine's protocol error (CdpError, BidiError), naming the browser's end.
      assert.match(line.message, /the browser (closed its protocol connection|exited)/, `${what}: a clear error`);
    } else {
      assert.equal(line.name, 'IPCClosedError', `${what} rejects with IPCClosedError`);
      assert.ok(line.message.includes(close.reason), `${what}'s error says why: ${line.message}`);
    }
    assert.ok(line.at - killedAt < 1000, `${what} rejected ${line.at - killedAt} ms after the kill`);
  }
  const after = new Map(all('AFTER').map((line) => [line.what, line]));
  assert.deepEqual([...after.keys()].sort(), ['page.eval', 'send'], `calls made after the close reject${context}`);
  assert.equal(after.get('send')!.name, 'IPCClosedError');

  // The page's own calls cannot be watched any more; the backend work they started is let go.
  const [aborted] = all('SIGNAL');
  assert.ok(aborted, `this.signal of the backend function the page was waiting on fires${context}`);
  assert.equal(aborted.aborted, true);
  assert.equal(aborted.reason.name, 'IPCClosedError');
  assert.equal(all('STREAM').length, 1, `the stream the page was reading is stopped (its finally runs)${context}`);

  // Nothing keeps Node alive: it exits by itself, at once, with code 0.
  assert.equal(signal, null, context);
  assert.equal(code, 0, `the backend exits by itself with code 0${context}`);
  const exitMs = exitedAt - killedAt;
  assert.ok(exitMs < 5000, `Node exited ${exitMs} ms after the browser was killed`);

  // No process of the run is left anywhere, and the temporary profile is deleted.
  const seen = watch.browser();
  assert.ok(seen.some((proc) => proc.pid === browserPid) && seen.length >= 3, `the browser's processes were seen: ${describeProcs(watch.seen.values())}`);
  const { left } = await waitForNoneMarked(watch.mark);
  assert.equal(describeProcs(left), '', 'processes of the run left behind');
  assert.equal(existsSync(all('READY')[0].profile), false, 'the temporary profile of a killed browser is deleted');
  const rejectedMs = Math.max(...[...settled.values()].map((line) => line.at - killedAt));
  console.log(
    `browser death (${ENGINE}): close event after ${closeMs} ms, pending calls rejected after ${rejectedMs} ms, ` +
      `handler signal after ${aborted.at - killedAt} ms, Node exited by itself after ${exitMs} ms; ` +
      `${seen.length} processes of the browser seen, ${left.length} left`,
  );
});

test('the window closed by the user fires close and ends the browser', async () => {
  const win = await openFixture('app');
  const pid = win.browser.pid;
  const closed = new Promise<string>((resolve) => win.on('close', ({ reason }) => resolve(reason)));
  if (ENGINE === 'firefox') {
    // Firefox's close button quits it (the app's page is its last window), as SIGTERM does;
    // BiDi's browsingContext.close refuses to close a browser's last tab, so it cannot stand in.
    process.kill(pid, 'SIGTERM');
    assert.match(await closed, /the window was closed|the browser exited|closed its protocol connection/);
  } else {
    // What the window's close button does: the browser closes the page target.
    const { targetInfos } = await win.cdp.send('Target.getTargets', {}, false);
    const page = targetInfos.find((target: { type: string; attached: boolean }) => target.type === 'page' && target.attached);
    await win.cdp.send('Target.closeTarget', { targetId: page.targetId }, false);
    assert.equal(await closed, 'the window was closed');
  }
  assert.equal(win.closed, true);
  assert.deepEqual(await waitForNoBrowser(win), []);
  await win.close();
  assert.equal(existsSync(win.browser.profile), false);
});

// The backend goes, in every way it can; every process of its browser must be gone within 2 s.
// SIGKILL gives the backend no chance to act: its browser's watchdog (src/browser/process.ts)
// sees the backend's end of its pipe close. Each cycle marks its run, records the processes of
// the browser while it runs (its zygotes, renderers, GPU, network and crash helpers), makes the
// backend go, then polls the whole machine until no process of the run is left (zombies aside).
// It fails if it never saw the browser. Cycles run PARALLEL at a time: 20 SIGKILLs (the way
// nothing of the backend can help, which issue G asks to repeat 20 times per engine) and 3 of each
// other way (each of those runs the backend's own exit path, the same every time; 5 of each
// were 10 more browser launches per engine, on a suite bound by its two cores).
const cyclesOf = (mode: string) => (mode === 'SIGKILL' ? 20 : 3);
const PARALLEL = 2;
const GONE_WITHIN = 2000;

interface CycleFigures {
  /** ms from the backend's death until no process of the run was left. */
  goneMs: number;
  /** processes of the run seen, and of them the browser's. */
  seen: number;
  browser: number;
}

async function backendCycle(t: TestContext, mode: string, cycle: number): Promise<CycleFigures> {
  const signal = mode.startsWith('SIG') ? (mode as NodeJS.Signals) : undefined;
  const { run, watch, triggeredAt } = await runWatched(t, fixture('lifecycle.mjs'), [signal ? 'wait' : mode], {
    ready: /^READY \d+ \S+\n/m,
    stdin: !signal,
    // The page is up, and so is the browser's whole tree, recorded by now: the backend goes.
    onReady: (_ready, child) => (signal ? child.kill(signal) : child.stdin!.end('go\n')),
  });
  const exitedAt = Date.now();
  const { left } = await waitForNoneMarked(watch.mark);
  // From the backend's death: the signal, the line that makes it exit at once, or (close) its exit
  // once its window closed in good order (a clean Firefox shutdown alone may take a second or two).
  const goneMs = Date.now() - (mode === 'close' ? exitedAt : triggeredAt);
  const { code, signal: endedBy, stdout, stderr } = run;
  const [, pidText, profile] = /READY (\d+) (\S+)/.exec(stdout) ?? [];
  const pid = Number(pidText);
  const where = `${mode}, cycle ${cycle}`;
  assert.ok(pid > 0, `${where}: no READY line\n${stdout}\n${stderr}`);
  if (signal) assert.equal(endedBy, signal, `${where}: the backend ends by the signal, as it would without gluon`);
  if (mode === 'uncaught') assert.match(stderr, /boom: an uncaught exception/);
  if (mode === 'process.exit') assert.equal(code, 0, `${where}\n${stderr}`);
  if (mode === 'close') {
    assert.equal(code, 0, `${where}: Node exits by itself after close()\n${stderr}`);
    assert.match(stdout, /CLOSED/);
  }
  const browser = watch.browser();
  assert.ok(browser.some((proc) => proc.pid === pid) && browser.length >= 3, `${where}: the browser's processes were seen: ${describeProcs(watch.seen.values())}`);
  assert.equal(describeProcs(left), '', `${where}: processes of the run left behind ${goneMs} ms after the backend died`);
  assert.ok(goneMs < GONE_WITHIN, `${where}: the last process of the browser went ${goneMs} ms after the backend died`);
  if (signal === 'SIGKILL') {
    // Nothing of the backend runs after SIGKILL: its temporary profile stays (the watchdog only kills).
    rmSync(profile!, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  } else {
    assert.equal(existsSync(profile!), false, `${where}: the temporary profile ${profile} was left behind`);
  }
  return { goneMs, seen: watch.seen.size, browser: browser.length };
}

for (const mode of ['close', 'process.exit', 'SIGINT', 'SIGTERM', 'uncaught', 'SIGKILL']) {
  const how = mode === 'close' ? 'a normal exit (close(), then nothing left to do)' : mode;
  test(`the backend leaving by ${how}: no process of its browser is left anywhere within ${GONE_WITHIN / 1000} s (${cyclesOf(mode)} cycles)`, async (t) => {
    const started = Date.now();
    const figures: CycleFigures[] = [];
    let next = 1;
    let failure: unknown;
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (next <= cyclesOf(mode) && failure === undefined) {
        try {
          figures.push(await backendCycle(t, mode, next++));
        } catch (error) {
          failure ??= error; // the cycles under way finish; no new one starts
        }
      }
    }));
    if (failure !== undefined) throw failure;
    const range = (values: number[]) => `${Math.min(...values)}-${Math.max(...values)}`;
    const gone = figures.map((f) => f.goneMs).sort((a, b) => a - b);
    console.log(
      `backend death by ${mode} (${ENGINE}): ${figures.length} cycles; all gone after ${gone[0]}-${gone.at(-1)} ms ` +
        `(median ${gone[gone.length >> 1]}); processes seen a run ${range(figures.map((f) => f.seen))}, ` +
        `of its browser ${range(figures.map((f) => f.browser))}; 0 left; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
}
