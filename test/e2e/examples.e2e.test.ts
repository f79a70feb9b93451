// The example apps, run as a user runs them, headless, on the engine of this run (GLUON_BROWSER):
//   examples/hello        the page calls the backend; the backend prints what it said
//   examples/file-viewer  the page shows the images of ui/images, served by gluon-ts, and reports their sizes
//   examples/streaming    a stream of progress read to the end, and one cancelled by the page
//   examples/typed        through `gluon-ts dev`: bundled with esbuild, its whole typed IPC exercised
// Each test waits for a line on the app's stdout that only a working IPC produces, ends the app
// (a signal, Ctrl+C, or its window closing), and checks that no process it started is left.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, rmdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ENGINE, interruptAndCheck, killMarked, MARK_VARIABLE, newMark, repoRoot, runNode, startInGroup, waitForNoneMarked, watchRun, type ProcInfo, type RunWatch,
} from './helpers.js';

const env = { ...process.env, GLUON_HEADLESS: '1' };
/** How long an app may take to print its proof line (a browser start on a slow machine included). */
const PROOF_WAIT = 60_000;

const listProcs = (procs: ProcInfo[]) => procs.map((proc) => `${proc.pid} ${proc.name}`).join(', ');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Runs `node examples/<app> ...args` headless, its run marked, and records its processes (helpers.ts:
 * watchRun). Once stdout matches
 * `proof`, `end` runs (it ends the app: a signal, or closing its browser); the app must then exit,
 * and no process of its run may be left anywhere. Whatever happens, nothing of it outlives the test.
 */
async function runExample(
  t: TestContext,
  app: string,
  args: string[],
  proof: RegExp,
  end: (child: ChildProcess, tree: ProcInfo[]) => void,
  o: { env?: NodeJS.ProcessEnv; onOutput?: (all: string) => void } = {},
): Promise<{ match: RegExpExecArray; code: number | null; signal: string | null; stdout: string; proofMs: number; seen: number }> {
  const mark = newMark();
  let watch: RunWatch | undefined;
  t.after(() => {
    watch?.stop();
    killMarked(mark);
  });
  const started = Date.now();
  let match: RegExpExecArray | null = null;
  let proofMs = 0;
  let timer: NodeJS.Timeout | undefined;
  const run = await runNode(join(repoRoot, 'examples', app), args, {
    env: { ...env, ...o.env, [MARK_VARIABLE]: mark },
    timeout: PROOF_WAIT + 60_000, // a backstop: up to PROOF_WAIT for the proof, then up to 60 s to exit
    onSpawn: (child) => {
      watch = watchRun(mark, child.pid!);
      timer = setTimeout(() => child.kill('SIGTERM'), PROOF_WAIT); // no proof: stop it, fail below
    },
    onStdout: (all, _pid, child) => {
      if (match) return;
      o.onOutput?.(all);
      match = proof.exec(all);
      if (!match) return;
      proofMs = Date.now() - started;
      clearTimeout(timer);
      watch!.look(); // the page is up, so is the browser's whole tree: record it now
      end(child, [...watch!.seen.values()]);
    },
  });
  clearTimeout(timer);
  watch!.stop();
  const seen = [...watch!.seen.values()];
  const context = `\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  assert.ok(match, `${app} did not print ${proof} within ${seconds(PROOF_WAIT)}${context}`);
  assert.ok(watch!.browser().length >= 2, `the app's processes were recorded, its browser's included: ${listProcs(seen)}`);
  const { left } = await waitForNoneMarked(mark);
  assert.equal(listProcs(left), '', `${app}: processes left behind (of ${seen.length} seen)`);
  return { match: match as RegExpExecArray, code: run.code, signal: run.signal, stdout: run.stdout, proofMs, seen: seen.length };
}

test('hello: the page calls the backend, which prints what it said; closing the window ends the app', async (t) => {
  let closedBrowser = '';
  const run = await runExample(t, 'hello/app.js', [], /^hello: the page said "hi from (.+)"$/m, (child, tree) => {
    // What the user's closing the window does on Firefox (its last window: it quits), and what the
    // browser going away does on either engine: the window closes; nothing keeps the app alive.
    // The browser: the app's child that leads its own process group (its watchdog shell aside).
    const browser = tree.find((proc) => proc.ppid === child.pid && proc.pgrp === proc.pid && proc.name !== 'sh');
    if (!browser) return void child.kill('SIGTERM'); // fails below
    closedBrowser = `${browser.name} ${browser.pid}`;
    process.kill(browser.pid, 'SIGTERM');
  });
  assert.ok(closedBrowser, `the browser (a child of the app leading its own process group) was found\n${run.stdout}`);
  const said = run.match[1];
  // Gluon.versions.product and .browser, e.g. "Chromium 140.0.7339.185", "firefox-esr 153.7.0".
  assert.match(said, ENGINE === 'firefox' ? /firefox.* \d+\.\d+/i : /^(?!.*firefox).+ \d+\.\d+/i, 'the page named its browser, of this run\'s engine');
  assert.equal(run.signal, null, `the app exits by itself once its window is gone\n${run.stdout}`);
  assert.equal(run.code, 0, `exit code\n${run.stdout}`);
  console.log(`# hello (${ENGINE}): the page said "hi from ${said}" after ${seconds(run.proofMs)}; SIGTERM to the browser (${closedBrowser}) closed the window, the app exited by itself with code 0; 0 of ${run.seen} processes left`);
});

test('file-viewer: the page lists ui/images over IPC, loads each image from the app origin and reports its real size', async (t) => {
  const run = await runExample(t, 'file-viewer/app.js', [], /^file-viewer: the page shows (\d+) images \((.*)\) from ui\/images(.*)$/m, (child) => child.kill('SIGTERM'));
  const [, count, sizes, rest] = run.match;
  assert.equal(count, '3', run.stdout);
  assert.equal(sizes, 'checkers.png 32x24, mountains.svg 160x96, sun.svg 96x96', 'each image loaded, with its own size');
  assert.equal(rest, '', 'no image failed to load');
  assert.equal(run.signal, 'SIGTERM', 'the app ends by the signal, as it would without gluon-ts');
  console.log(`# file-viewer (${ENGINE}): the page shows ${count} images (${sizes}) after ${seconds(run.proofMs)}; ended by SIGTERM; 0 of ${run.seen} processes left`);
});

test('streaming: the page reads the whole progress stream; with --cancel-at the page cancels it and the backend generator stops', async (t) => {
  const full = await runExample(t, 'streaming/app.js', [], /^streaming: (done, (\d+) steps|cancelled at step \d+ of \d+)$/m, (child) => child.kill('SIGINT'));
  assert.equal(full.match[2], '20', `the page read all 20 steps and said so, nothing was cancelled\n${full.stdout}`);
  assert.equal(full.signal, 'SIGINT');

  const CANCEL_AT = 5;
  const cancelled = await runExample(t, 'streaming/app.js', [`--cancel-at=${CANCEL_AT}`], /^streaming: (cancelled at step (\d+) of (\d+)|done, \d+ steps)$/m, (child) => child.kill('SIGINT'));
  assert.ok(cancelled.match[2], `the backend's generator was stopped, not run to its end\n${cancelled.stdout}`);
  const step = Number(cancelled.match[2]);
  // The page breaks after reading step 5; the backend may have sent a step or two more by the time
  // it hears (150 ms a step), but it must stop there, well before its 20th.
  assert.ok(step >= CANCEL_AT && step < 20, `cancelled at step ${step}, the page stopped after ${CANCEL_AT}`);
  assert.equal(cancelled.match[3], '20');
  assert.equal(cancelled.signal, 'SIGINT');
  console.log(
    `# streaming (${ENGINE}): full run "done, 20 steps" after ${seconds(full.proofMs)}; --cancel-at=${CANCEL_AT}: "cancelled at step ${step} of 20" after ${seconds(cancelled.proofMs)}; ` +
      `both ended by SIGINT; 0 of ${full.seen} and 0 of ${cancelled.seen} processes left`,
  );
});

test('desktop: a gtsdemo:// link on the first start\'s command line and one from a later start both reach the page', async (t) => {
  // What `npm install` in examples/desktop does: gluon-ts, linked from the repository.
  const modules = join(repoRoot, 'examples', 'desktop', 'node_modules');
  if (!existsSync(join(modules, 'gluon-ts'))) {
    mkdirSync(modules, { recursive: true });
    symlinkSync(join('..', '..', '..'), join(modules, 'gluon-ts'), 'dir');
  }
  // The app's own runtime folder (its single-instance lock) and data folder (profile, window state).
  const scratch = mkdtempSync(join(tmpdir(), 'gluon-example-desktop-'));
  t.after(() => rmSync(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }));
  const own = { XDG_RUNTIME_DIR: join(scratch, 'run'), XDG_DATA_HOME: join(scratch, 'data') };
  mkdirSync(own.XDG_RUNTIME_DIR, { mode: 0o700 });
  let later: Promise<Awaited<ReturnType<typeof runNode>>> | undefined;
  const run = await runExample(t, 'desktop/app.js', ['gtsdemo://note?text=first%20line'], /^desktop: link "gtsdemo:\/\/note\?text=later": the page shows "(.*)"$/m, (child) => child.kill('SIGTERM'), {
    env: own,
    onOutput: (all) => {
      // Once the first start's own link is on the page, a later start hands over its link and exits.
      if (!later && /^desktop: link "gtsdemo:\/\/note\?text=first%20line": the page shows "first line"$/m.test(all)) {
        later = runNode(join(repoRoot, 'examples', 'desktop', 'app.js'), ['gtsdemo://note?text=later'], { env: { ...env, ...own }, timeout: 30_000 });
      }
    },
  });
  assert.ok(later, `the first start showed its own link\n${run.stdout}`);
  const second = await later;
  assert.equal(second.code, 0, `the later start exits at once, its link handed over\n${second.stdout}\n${second.stderr}`);
  assert.doesNotMatch(second.stdout, /desktop: ready/, 'the later start opened no window');
  assert.equal(run.match[1], 'first line\\nlater', 'the page holds both texts, in order');
  console.log(`# desktop (${ENGINE}): the first start's link and a later start's link reached the page after ${seconds(run.proofMs)}; 0 of ${run.seen} processes left`);
});

// examples/typed runs through `gluon-ts dev` where it is (TypeScript, top-level await): its
// tsconfig.json maps `gluon-ts` to the repository's sources, so dev bundles gluon-ts itself too.

test('typed (gluon-ts dev): the page calls, streams, exposes and answers an event, all typed; Ctrl+C leaves nothing', { timeout: 240_000 }, async () => {
  // Its browser profile in a temporary data folder, not a new one per run in the user's.
  const data = mkdtempSync(join(tmpdir(), 'gluon-example-typed-data-'));
  // The window and browser logs are on: a failure then says how far the window got.
  // Its own build folder: the Chromium and Firefox copies of this file may run at once, and one
  // removing a shared .gluon/dev took the other's page files away (its page never answered: CI).
  const out = join('.gluon', `dev-${ENGINE}-${process.pid}`);
  const run = startInGroup(process.execPath, [join(repoRoot, 'dist', 'src', 'cli', 'main.js'), 'dev', join('examples', 'typed', 'backend.ts'), '--out', out], repoRoot, { ...env, XDG_DATA_HOME: data, GLUON_DEBUG: 'window,browser' });
  try {
    const started = Date.now();
    // The backend prints this after it called the page's render() and sent 'refresh', which it does
    // once the page says 'ready': after it called getConfig, add, listNotes and saveNote (which made
    // the store's notesOpen 2) and read the countdown stream. The page's reply quotes the store.
    const said = await run.waitFor(/^the page says: (page refreshed note 1 \(store says (\d+) notes\))$/m, 'the page to answer the backend\'s refresh event');
    const proofMs = Date.now() - started;
    assert.equal(said[2], '2', 'the page saved a note through the backend and the store says so');
    assert.match(run.output, /^theme is now light$/m, 'the page\'s store write reached the backend');
    assert.match(run.output, /app started \(examples\/typed\/backend\.ts, pid \d+\)/);

    // Ctrl+C: dev, the app and its browser all exit; no process any of them started is left.
    await interruptAndCheck(run, 'gluon-ts dev examples/typed/backend.ts');
    console.log(`# typed (${ENGINE}, gluon-ts dev): "the page says: ${said[1]}" after ${seconds(proofMs)}, and "theme is now light"`);
  } finally {
    run.interrupt();
    run.tree.stop();
    killMarked(run.tree.mark);
    for (const path of [data, join(repoRoot, out)]) rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    try {
      rmdirSync(join(repoRoot, '.gluon')); // unless the other engine's copy still builds there
    } catch {
      // not empty, or gone
    }
  }
});
