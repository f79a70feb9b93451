// The IPC core in memory: cancellation, time limits, the callee's signal, streamed results
// with backpressure, and functions the page exposes for the backend to call.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { IPCClosedError, type HandlerContext } from '../../src/ipc/endpoint.js';
import { STREAM_WINDOW } from '../../src/ipc/streams.js';
import { pair } from './pair.js';

const keepAlive = setInterval(() => {}, 1000);
after(() => clearInterval(keepAlive));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('aborting a call rejects it at once with the signal reason, and the callee sees its signal fire', async () => {
  const { ipc, pageIpc, gluon } = pair();
  let calleeSignal: AbortSignal | undefined;
  let finished = false;
  ipc.expose('slow', async function (this: HandlerContext) {
    calleeSignal = this.signal;
    await new Promise((resolve) => this.signal.addEventListener('abort', resolve));
    finished = true;
    return 'too late';
  });
  const controller = new AbortController();
  const call = gluon.ipcWith({ signal: controller.signal }).slow();
  await sleep(20);
  assert.equal(calleeSignal?.aborted, false);
  controller.abort(new Error('user pressed cancel'));
  await assert.rejects(call, { message: 'user pressed cancel' });
  await sleep(20);
  assert.equal(calleeSignal?.aborted, true);
  assert.equal((calleeSignal?.reason as Error).name, 'AbortError');
  assert.equal(finished, true);
  await assert.rejects(gluon.ipcWith({ signal: AbortSignal.abort() }).slow(), { name: 'AbortError' }, 'an aborted signal rejects before sending');
});

test('a timeout rejects with TimeoutError and cancels the callee; events take options too', async () => {
  const { ipc, pageIpc, gluon } = pair();
  let aborted = 0;
  ipc.expose('forever', function (this: HandlerContext) {
    this.signal.addEventListener('abort', () => aborted++);
    return new Promise(() => {});
  });
  ipc.on('forever', function (this: HandlerContext) {
    this.signal.addEventListener('abort', () => aborted++);
    return new Promise(() => {});
  });
  const started = Date.now();
  await assert.rejects(gluon.ipcWith({ timeout: 50 }).forever(), { name: 'TimeoutError', message: /forever\(\) timed out after 50 ms/ });
  assert.ok(Date.now() - started < 500);
  await assert.rejects(gluon.ipcWith({ timeout: 30 }).send('forever'), { name: 'TimeoutError' });
  await sleep(20);
  assert.equal(aborted, 2);
  ipc.quick = () => 'quick';
  assert.equal(await gluon.ipcWith({ timeout: 1000 }).quick(), 'quick', 'a call inside its time limit resolves');
});

test('when the page goes away, the signals of calls it made fire', async () => {
  const { ipc, pageIpc, backend } = pair();
  let signal: AbortSignal | undefined;
  ipc.expose('work', function (this: HandlerContext) {
    signal = this.signal;
    return new Promise(() => {});
  });
  pageIpc.work().catch(() => {});
  for (let i = 0; i < 200 && !signal; i++) await sleep(10); // the call reaches the backend
  backend.peerGone('the page navigated');
  assert.equal(signal?.aborted, true);
  assert.ok(signal?.reason instanceof IPCClosedError);
});

test('a function returning an async generator streams its items; the producer stays at most a window ahead', async () => {
  const { ipc, pageIpc } = pair();
  let produced = 0;
  ipc.numbers = async function* (count: number) {
    for (let i = 0; i < count; i++) {
      produced++;
      yield i;
    }
  };
  const stream = await pageIpc.numbers(100);
  assert.equal(typeof stream[Symbol.asyncIterator], 'function');
  await sleep(50);
  assert.ok(produced <= STREAM_WINDOW + 1, `produced ${produced} before anything was read`);
  const seen: number[] = [];
  for await (const n of stream) {
    seen.push(n);
    if (n === 30) {
      await sleep(30);
      assert.ok(produced - seen.length <= STREAM_WINDOW + 1, `the producer ran ${produced - seen.length} items ahead`);
    }
  }
  assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => i));
});

test('break stops the producer and its finally runs; an abort does the same', async () => {
  const { ipc, pageIpc, gluon } = pair();
  const finallies: string[] = [];
  ipc.endless = async function* (label: string) {
    try {
      for (let i = 0; ; i++) yield i;
    } finally {
      finallies.push(label);
    }
  };
  for await (const n of await pageIpc.endless('break')) if (n === 5) break;
  const controller = new AbortController();
  const stream = await gluon.ipcWith({ signal: controller.signal }).endless('abort');
  const iterator = stream[Symbol.asyncIterator]();
  assert.deepEqual(await iterator.next(), { value: 0, done: false });
  controller.abort(new Error('stop it'));
  await assert.rejects(iterator.next(), { message: 'stop it' });
  await sleep(30);
  assert.deepEqual(finallies.sort(), ['abort', 'break']);
});

test('a producer that throws rejects the consumer with its error; a ReadableStream streams too', async () => {
  const { ipc, pageIpc } = pair();
  ipc.failing = async function* () {
    yield 1;
    throw new RangeError('ran out');
  };
  ipc.readable = () => new ReadableStream({
    start(controller) {
      for (const chunk of ['a', 'b', 'c']) controller.enqueue(chunk);
      controller.close();
    },
  });
  const seen: unknown[] = [];
  await assert.rejects(async () => { for await (const x of await pageIpc.failing()) seen.push(x); }, { name: 'RangeError', message: 'ran out' });
  assert.deepEqual(seen, [1]);
  const chunks: string[] = [];
  for await (const chunk of await pageIpc.readable()) chunks.push(chunk);
  assert.deepEqual(chunks, ['a', 'b', 'c']);
});

test('the page exposes functions and the backend calls them with Window.ipcPage.name(...)', async () => {
  const { pageIpc, win, gluon } = pair({ waitForHandler: 300 });
  pageIpc.render = (html: string) => `<main>${html}</main>`;
  gluon.ipcExpose('double', (n: number) => n * 2);
  gluon.ipcExpose({ triple: (n: number) => n * 3 });
  assert.equal(await win.ipcPage.render('hi'), '<main>hi</main>');
  assert.equal(await win.ipcPage.double(21), 42);
  assert.equal(await win.ipcPage.triple(2), 6);
  assert.equal(await win.ipcWith({ timeout: 1000 }).page.double(2), 4);
  assert.equal(gluon.ipcUnexpose('triple'), true);
  await assert.rejects(win.ipcPage.triple(1), { name: 'ReferenceError', message: /No function named 'triple' is exposed by the page\. Exposed: render, double\. Expose it with Gluon\.ipc\.triple = fn or Gluon\.ipcExpose\('triple', fn\)/ });
  await assert.rejects(win.ipcPage.missing(), { name: 'ReferenceError', message: /No function named 'missing' is exposed by the page/ });
});
