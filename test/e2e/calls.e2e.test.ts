// In a real browser: cancellation and time limits, the callee's signal (also on reload),
// streamed results both ways with backpressure and early stop, and page-side expose.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Window } from '../../src/index.js';
import { openFixture, sleep, waitFor } from './helpers.js';

let win: Window;
before(async () => {
  win = await openFixture('app', { ipcWait: 500 });
  await win.page.loaded;
});
after(() => win?.close());

test('the page aborts a call or gives it a timeout: it rejects at once and the backend function sees its signal fire', async () => {
  const signals: AbortSignal[] = [];
  win.ipc.expose('slow', function (this: { signal: AbortSignal }) {
    signals.push(this.signal);
    return new Promise(() => {});
  });
  const got = await win.page.eval<any>(`(async () => {
    const controller = new AbortController();
    const call = Gluon.ipcWith({ signal: controller.signal }).slow();
    setTimeout(() => controller.abort(new Error('cancelled by the user')), 50);
    const aborted = await call.catch((e) => e.message);
    const started = performance.now();
    const timedOut = await Gluon.ipcWith({ timeout: 100 }).slow().catch((e) => e.name + ': ' + e.message);
    return { aborted, timedOut, ms: performance.now() - started };
  })()`);
  assert.equal(got.aborted, 'cancelled by the user');
  assert.equal(got.timedOut, 'TimeoutError: slow() timed out after 100 ms');
  assert.ok(got.ms < 1000);
  await sleep(50);
  assert.equal(signals.length, 2);
  assert.ok(signals.every((signal) => signal.aborted && (signal.reason as Error).name === 'AbortError'));
});

test('the backend gives a page call a timeout; the page function sees its signal fire', async () => {
  await win.page.eval(`
    window.pageSignals = [];
    Gluon.ipcExpose('pageSlow', function () { window.pageSignals.push(this.signal); return new Promise(() => {}); });
  `);
  await assert.rejects(win.ipcWith({ timeout: 80 }).page.pageSlow(), { name: 'TimeoutError' });
  await waitFor(win, `window.pageSignals.length === 1 && window.pageSignals[0].aborted`);
});

test('a reload fires the signal of backend work the old page started', async () => {
  let signal: AbortSignal | undefined;
  win.ipc.expose('longJob', function (this: { signal: AbortSignal }) {
    signal = this.signal;
    return new Promise(() => {});
  });
  await win.page.eval(`Gluon.ipc.longJob(); undefined`);
  for (let i = 0; i < 50 && !signal; i++) await sleep(10);
  assert.equal(signal?.aborted, false);
  await win.page.reload();
  for (let i = 0; i < 100 && !signal?.aborted; i++) await sleep(10);
  assert.equal(signal?.aborted, true, 'the backend learned the page that asked is gone');
  await waitFor(win, 'window.moduleResult');
});

test('a backend async generator streams to the page: for await, backpressure, and break runs its finally', async () => {
  let produced = 0;
  let finallyRan = false;
  win.ipc.count = async function* (limit: number) {
    try {
      for (let i = 0; i < limit; i++) {
        produced++;
        yield { i, at: Date.now() };
      }
    } finally {
      finallyRan = true;
    }
  };
  const all = await win.page.eval<number[]>(`(async () => {
    const out = [];
    for await (const item of await Gluon.ipc.count(200)) out.push(item.i);
    return out;
  })()`);
  assert.deepEqual(all, Array.from({ length: 200 }, (_, i) => i));

  produced = 0;
  finallyRan = false;
  await win.page.eval(`(async () => {
    window.slowStream = await Gluon.ipc.count(1000000);
    window.slowIterator = window.slowStream[Symbol.asyncIterator]();
    await window.slowIterator.next();
  })()`);
  await sleep(200);
  assert.ok(produced <= 20, `the producer ran ahead of a consumer that stopped reading: ${produced} items`);
  await win.page.eval(`window.slowIterator.return()`);
  for (let i = 0; i < 100 && !finallyRan; i++) await sleep(10);
  assert.equal(finallyRan, true, "stopping early ran the generator's finally");
});

test('the page streams to the backend: a page generator and a page ReadableStream', async () => {
  await win.page.eval(`
    Gluon.ipcExpose('letters', async function* () { for (const c of 'gluon') yield c; });
    Gluon.ipcExpose('chunks', () => new ReadableStream({ start(c) { c.enqueue(new Uint8Array([1, 2])); c.enqueue(new Uint8Array([3])); c.close(); } }));
  `);
  const letters: string[] = [];
  for await (const letter of await win.ipcPage.letters()) letters.push(letter);
  assert.deepEqual(letters, ['g', 'l', 'u', 'o', 'n']);
  const bytes: number[] = [];
  for await (const chunk of await win.ipcPage.chunks()) bytes.push(...chunk);
  assert.deepEqual(bytes, [1, 2, 3]);
});

test('the page exposes with every shape and the backend calls with Window.ipcPage.name(...); errors cross back', async () => {
  await win.page.eval(`
    Gluon.ipc.render = (html) => '<main>' + html + '</main>';
    Gluon.ipcExpose({ add: (a, b) => a + b, fails: () => { throw new TypeError('page refused'); } });
  `);
  assert.equal(await win.ipcPage.render('x'), '<main>x</main>');
  assert.equal(await win.ipcPage.add(2, 3), 5);
  await assert.rejects(win.ipcPage.fails(), { name: 'TypeError', message: 'page refused' });
  await assert.rejects(win.ipcPage.notExposed(), { name: 'ReferenceError', message: /No function named 'notExposed' is exposed by the page/ });
});
