// The IPC core, paired in memory: a "backend" and a "page" endpoint joined by a fake
// transport that delivers frames asynchronously, as a real browser protocol would.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Endpoint, IPCClosedError } from '../../src/ipc/endpoint.js';
import { createIpc } from '../../src/ipc/facade.js';
import { pair } from './pair.js';


// The endpoint's wait timers are unref'd (they must never keep an app alive); keep this test process alive instead.
const keepAlive = setInterval(() => {}, 1000);
after(() => clearInterval(keepAlive));

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

test('an exposed function is called from the page and its value returns, falsy values included', async () => {
  const { ipc, pageIpc } = pair();
  ipc.echo = (value: unknown) => value;
  for (const value of [0, false, '', null, undefined, 'text', 42, { a: [1, { b: 2 }] }]) {
    assert.deepEqual(await pageIpc.echo(value), value);
  }
});

test('all the expose shapes work, and unexpose / delete remove the function', async () => {
  const { ipc, pageIpc } = pair({ waitForHandler: 30 });
  ipc.a = () => 'a';
  ipc.expose('b', () => 'b');
  ipc.expose({ c: () => 'c', d: async () => 'd' });
  assert.deepEqual(await Promise.all([pageIpc.a(), pageIpc.b(), pageIpc.c(), pageIpc.d()]), ['a', 'b', 'c', 'd']);
  assert.equal(typeof ipc.a, 'function', 'the backend reads back what it exposed');
  delete ipc.a;
  ipc.unexpose('b');
  await assert.rejects(pageIpc.a(), { name: 'ReferenceError', message: /No function named 'a'/ });
  await assert.rejects(pageIpc.b(), { name: 'ReferenceError', message: /No function named 'b'.*Exposed: c, d/ });
});

test('the backend is up at once: a call to a function it does not expose, or an unheard event, is answered at once', async () => {
  const { ipc, pageIpc } = pair({ waitForHandler: 5000 });
  ipc.known = () => 1;
  const started = Date.now();
  for (let i = 0; i < 10; i++) assert.equal(await pageIpc.send(`nobody listens ${i}`, i), null);
  for (let i = 0; i < 10; i++) {
    await assert.rejects(pageIpc[`missing${i}`](), (error: Error) => {
      assert.equal(error.name, 'ReferenceError');
      assert.match(error.message, new RegExp(`^No function named 'missing${i}' is exposed by the backend\\. Exposed: known\\.`));
      return true;
    });
  }
  assert.ok(Date.now() - started < 1000, `20 unheard requests took ${Date.now() - started} ms, far under the 5000 ms wait`);
});

test('a page that is up answers the backend at once too', async () => {
  const { ipc, win, gluon } = pair({ waitForHandler: 5000 });
  gluon.ipcExpose('known', () => 1);
  const started = Date.now();
  for (let i = 0; i < 10; i++) assert.equal(await ipc.send(`nobody listens ${i}`), null);
  for (let i = 0; i < 10; i++) await assert.rejects(win.ipcPage[`missing${i}`](), { name: 'ReferenceError', message: /^No function named 'missing\d' is exposed by the page\. Exposed: known\./ });
  assert.ok(Date.now() - started < 1000, `20 unheard requests took ${Date.now() - started} ms`);
});

test('while the page starts up, the backend\'s events and calls wait for its listeners and functions', async () => {
  const { ipc, pageIpc, page, win } = pair({ waitForHandler: 5000, pageStartingUp: true });
  const early = ipc.send('early', 7);
  const call = win.ipcPage.render('hi');
  await new Promise((resolve) => setTimeout(resolve, 30));
  pageIpc.on('early', (n: number) => n * 2);
  pageIpc.render = (html: string) => `<p>${html}</p>`;
  assert.equal(await early, 14);
  assert.equal(await call, '<p>hi</p>');
  // Once up, what still waits is answered at once, and so is what comes next.
  const unheard = ipc.send('nobody');
  const missing = win.ipcPage.missing().catch((error: Error) => error);
  await new Promise((resolve) => setTimeout(resolve, 30));
  const started = Date.now();
  page.up();
  assert.equal(await unheard, null);
  assert.match(String(await missing), /^ReferenceError: No function named 'missing' is exposed by the page\. Exposed: render\./);
  assert.equal(await ipc.send('nobody again'), null);
  assert.ok(Date.now() - started < 1000);
});

test('while the page starts up, an unheard event resolves null and a missing function rejects after the bound', async () => {
  const { ipc, win } = pair({ waitForHandler: 300, pageStartingUp: true });
  const started = Date.now();
  const [event, call] = await Promise.all([ipc.send('nobody listens'), win.ipcPage.missing().catch((error: Error) => error)]);
  assert.equal(event, null);
  assert.match(String(call), /^ReferenceError: No function named 'missing' is exposed by the page \(waited 300 ms for the page to start up and expose it\)\. Nothing is exposed yet\./);
  assert.ok(Date.now() - started >= 250, 'it waited for a handler first');
});

test('send resolves to the first non-undefined reply; every listener runs; removeListener works', async () => {
  const { ipc, pageIpc } = pair();
  const seen: string[] = [];
  const quiet = (data: string) => { seen.push(`quiet:${data}`); };
  ipc.on('ping', quiet);
  ipc.on('ping', (data: string) => { seen.push(`first:${data}`); return 0; });
  ipc.on('ping', () => { seen.push('second'); return 'ignored'; });
  assert.equal(await pageIpc.send('ping', 'x'), 0);
  assert.deepEqual(seen, ['quiet:x', 'first:x', 'second']);
  assert.equal(ipc.removeListener('ping', quiet), true);
  assert.equal(ipc.removeListener('ping', quiet), false);
});

test('events work backend -> page too, and the reply comes back', async () => {
  const { ipc, pageIpc } = pair();
  pageIpc.on('refresh', (data: { id: number }) => `done ${data.id}`);
  assert.equal(await ipc.send('refresh', { id: 1 }), 'done 1');
});

test('backend sends made before the page exists are delivered when it says hello', async () => {
  const { ipc, pageIpc, page } = pair({ helloNow: false, waitForHandler: 1000 });
  const reply = ipc.send('refresh', 7);
  await tick();
  pageIpc.on('refresh', (n: number) => n * 2);
  page.hello();
  assert.equal(await reply, 14);
});

test('a backend send with no page at all rejects after the bound', async () => {
  const { ipc } = pair({ helloNow: false, waitForHandler: 50 });
  await assert.rejects(ipc.send('refresh'), { name: 'IPCClosedError', message: /no page was listening within 50 ms/ });
});

test('a throwing exposed function rejects the caller with its class, name, message and stacks; the backend goes on', async () => {
  const { ipc, pageIpc } = pair();
  ipc.fail = () => { throw new RangeError('too far'); };
  ipc.failAsync = async () => { const e = new Error('custom'); e.name = 'ConfigError'; throw e; };
  ipc.throwsString = () => { throw 'plain string'; };
  ipc.ok = () => 'still alive';
  const error = await pageIpc.fail().catch((e: Error) => e);
  assert.ok(error instanceof RangeError);
  assert.equal(error.message, 'too far');
  assert.match(String(error.stack), /--- remote stack ---/);
  await assert.rejects(pageIpc.failAsync(), { name: 'ConfigError', message: 'custom' });
  await assert.rejects(pageIpc.throwsString(), (e) => e === 'plain string');
  assert.equal(await pageIpc.ok(), 'still alive');
});

test('values JSON carries cross as JSON carries them, both ways, and in the store', async () => {
  const { ipc, pageIpc } = pair();
  class Item { constructor(public name: string) {} open() { return this.name; } }
  ipc.echo = (v: unknown) => v;
  ipc.giveFunction = () => ({ nested: { fn: () => 1, item: new Item('a') }, list: [() => 1] });
  assert.deepStrictEqual(await pageIpc.echo({ deep: [() => 1, new Item('b')] }), { deep: [null, { name: 'b' }] });
  assert.deepStrictEqual(await pageIpc.giveFunction(), { nested: { item: { name: 'a' } }, list: [null] });
  pageIpc.store.item = { item: new Item('c'), save() {} };
  ipc.store.other = { done: Promise.resolve(), n: 1 };
  await tick(); await tick();
  assert.deepStrictEqual(ipc.store.item, { item: { name: 'c' } });
  assert.deepStrictEqual(pageIpc.store.other, { n: 1 });
});

test('a result that cannot be encoded rejects the caller, warns once on the callee side, and is logged as err', async () => {
  const warnings: string[] = [];
  const lines: string[] = [];
  const backend: Endpoint = new Endpoint({
    side: 'backend', peer: 'page', ownsStore: true, warn: (text) => warnings.push(text), log: (line) => lines.push(line),
    post: (frame) => setImmediate(() => page.receive(frame)),
  });
  const page: Endpoint = new Endpoint({ side: 'page', peer: 'backend', post: (frame) => setImmediate(() => backend.receive(frame)) });
  const ipc = createIpc(backend, 'backend');
  const pageIpc = createIpc(page, 'page');
  ipc.bad = () => ({ nested: { get broken() { throw new Error('cannot read'); } } });
  await assert.rejects(pageIpc.bad(), { name: 'TypeError', message: /result cannot be sent back from the backend: cannot read at \.nested\.broken/ });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^call bad\(\): the result cannot be sent back from the backend: cannot read at \.nested\.broken; the page's call rejects with this error instead$/);
  assert.ok(lines.some((line) => /^-> err for call bad\(\) #\d+ after/.test(line)), lines.join('\n'));
  assert.ok(!lines.some((line) => /^-> ok for/.test(line)), 'never logged as ok');

  ipc.items = async function* () {
    yield 1;
    yield { get broken() { throw new Error('cannot read either'); } };
  };
  const seen: unknown[] = [];
  await assert.rejects((async () => {
    for await (const item of await pageIpc.items()) seen.push(item);
  })(), { name: 'TypeError', message: /a streamed item cannot be sent to the page: cannot read either at \.broken/ });
  assert.deepStrictEqual(seen, [1]);
  assert.equal(warnings.length, 2);
  assert.match(warnings[1], /^stream #\d+: a streamed item cannot be sent to the page: cannot read either at \.broken; the stream ends with this error$/);
});

test('the store stays in step both ways, with property access and get/set/keys/delete', async () => {
  const { ipc, pageIpc } = pair();
  ipc.store.user = 'ada';
  ipc.store.set('count', 0);
  await tick(); await tick();
  assert.equal(pageIpc.store.user, 'ada');
  assert.equal(pageIpc.store.get('count'), 0);
  pageIpc.store.theme = 'dark';
  delete pageIpc.store.user;
  await tick(); await tick();
  assert.equal(ipc.store.theme, 'dark');
  assert.equal(ipc.store.user, undefined);
  assert.deepEqual(ipc.store.keys().sort(), ['count', 'theme']);
  assert.deepEqual(Object.keys(ipc.store).sort(), ['count', 'theme']);
  assert.deepEqual(JSON.parse(JSON.stringify(pageIpc.store)), { count: 0, theme: 'dark' });
  assert.throws(() => { (ipc.store as any).keys = 1; }, /method of the store/);
});

test('a new page (hello again) gets the whole store, and calls pending to the old page reject', async () => {
  const { ipc, pageIpc, backend } = pair();
  ipc.store.a = 1;
  pageIpc.on('slow', () => new Promise(() => {}));
  await tick(); await tick();
  const pending = ipc.send('slow');
  await tick(); await tick();
  backend.peerGone('the page reloaded');
  await assert.rejects(pending, (e) => e instanceof IPCClosedError && /the page reloaded/.test(e.message));
  const fresh = new Endpoint({ side: 'page', peer: 'backend', post: (f) => setImmediate(() => backend.receive(f)) });
  (backend as any).options.post = (f: string) => setImmediate(() => fresh.receive(f));
  void pageIpc;
  fresh.hello();
  await tick(); await tick(); await tick();
  assert.equal(fresh.storeGet('a'), 1);
});

test('replies from handlers of a page that is gone are dropped, not delivered to the next page', async () => {
  const { ipc, pageIpc, backend, frames } = pair();
  let finish: (v: string) => void = () => {};
  ipc.slow = () => new Promise<string>((resolve) => { finish = resolve; });
  const call = pageIpc.slow();
  call.catch(() => {});
  await new Promise((r) => setTimeout(r, 10));
  backend.peerGone('navigated');
  const before = frames.toPage.length;
  finish('late');
  await tick(); await tick();
  assert.equal(frames.toPage.length, before, 'no frame was sent for the stale reply');
});

test('messages queued in one tick leave as one frame', async () => {
  const { ipc, pageIpc, frames } = pair();
  ipc.n = (x: number) => x;
  await tick(); await tick();
  const before = frames.toBackend.length;
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => pageIpc.n(i)));
  assert.deepEqual(results, Array.from({ length: 1000 }, (_, i) => i));
  assert.equal(frames.toBackend.length - before, 1, '1000 calls made in one tick were one frame');
});

test('garbage frames and messages never throw out of receive, and the endpoint still answers afterwards', async () => {
  const { backend, pageIpc, ipc } = pair();
  ipc.ok = () => 'ok';
  const garbage: unknown[] = [
    '', 'not json', '{}', 'null', '[1,2,3]', '[[{"k":1}]]', '[[{"k":"call","id":"x"}]]', '[[{"k":"ok","id":99999}]]',
    '[[{"__proto__":1},{"polluted":2}]]', '[[{"k":1,"id":2,"name":3,"args":4},"call",1,"x",[]]]',
    '[[{"k":1,"id":2},"nope",3]]', 42, undefined, { k: 'call' }, '[' .repeat(10000),
  ];
  for (const frame of garbage) assert.doesNotThrow(() => backend.receive(frame as string));
  assert.equal(({} as any).polluted, undefined);
  assert.equal(await pageIpc.ok(), 'ok');
});

test('the page facade is not thenable and ignores symbols, so it can be awaited and logged', async () => {
  const { pageIpc } = pair();
  assert.equal(pageIpc.then, undefined);
  assert.equal((pageIpc as any)[Symbol.iterator], undefined);
  assert.equal(await Promise.resolve(pageIpc), pageIpc);
});

test('close rejects everything pending and refuses new requests', async () => {
  const { ipc, backend, pageIpc } = pair();
  pageIpc.on('never', () => new Promise(() => {}));
  await tick(); await tick();
  const pending = ipc.send('never');
  await tick();
  backend.close('the window was closed');
  await assert.rejects(pending, /the window was closed/);
  await assert.rejects(ipc.send('after'), /the window was closed/);
});

test('store.onChange reports local and remote changes, says which, and unsubscribes', async () => {
  const { ipc, pageIpc } = pair();
  const backendSeen: unknown[] = [];
  const pageSeen: unknown[] = [];
  const off = ipc.store.onChange((change: unknown) => backendSeen.push(change));
  pageIpc.store.onChange((change: unknown) => pageSeen.push(change));
  await tick();
  pageIpc.store.theme = 'dark';
  await tick(); await tick();
  ipc.store.set('count', 1);
  delete pageIpc.store.theme;
  await tick(); await tick();
  assert.deepEqual(backendSeen, [
    { key: 'theme', value: 'dark', deleted: false, remote: true },
    { key: 'count', value: 1, deleted: false, remote: false },
    { key: 'theme', value: undefined, deleted: true, remote: true },
  ]);
  assert.deepEqual(pageSeen[0], { key: 'theme', value: 'dark', deleted: false, remote: false });
  assert.deepEqual(pageSeen.find((c: any) => c.key === 'count'), { key: 'count', value: 1, deleted: false, remote: true });
  assert.deepEqual(pageSeen.find((c: any) => c.deleted), { key: 'theme', value: undefined, deleted: true, remote: false });
  off();
  pageIpc.store.more = 1;
  await tick(); await tick();
  assert.equal(backendSeen.length, 3, 'no calls after unsubscribing');
  assert.throws(() => { (ipc.store as any).onChange = 1; }, /method of the store/);
});


test('no name is taken from the app: the backend exposes page, with, expose, unexpose; the page calls them, and gluon-ts\'s additions still work', async () => {
  const { ipc, pageIpc, win, gluon, backend } = pair();
  ipc.page = (n: number) => `page ${n}`;
  ipc.with = (options: unknown) => ({ with: options });
  ipc.ipcPage = () => 'ipcPage';
  ipc.expose('expose', (name: string) => `exposed ${name}`);
  ipc.expose({ unexpose: () => 'unexposed' });
  assert.equal(await pageIpc.page(1), 'page 1');
  assert.deepEqual(await pageIpc.with({ timeout: 1 }), { with: { timeout: 1 } });
  assert.equal(await pageIpc.ipcPage(), 'ipcPage');
  assert.equal(await pageIpc.expose('x'), 'exposed x');
  assert.equal(await pageIpc.unexpose(), 'unexposed');
  assert.equal(typeof ipc.page, 'function', 'the backend reads back what it exposed');
  // Gluon's own names stay Gluon's API when read; assigning one exposes a function of that name, as in Gluon.
  (ipc as any).send = () => 'a backend function named send';
  assert.equal(typeof ipc.send, 'function');
  assert.equal(await ipc.send('nobody listens'), null, 'ipc.send is still the API');
  assert.equal(await gluon.ipcWith({}).with({ x: 1 }).then((r: any) => r.with.x), 1, 'ipcWith calls every backend name but send');
  assert.deepEqual(backend.exposedNames().sort(), ['expose', 'ipcPage', 'page', 'send', 'unexpose', 'with']);
  assert.deepEqual(Object.keys(ipc).sort(), ['ipcPage', 'page', 'with'], "Gluon's names list as the API, not enumerable");
  // The page may expose any name too, Gluon's included, and the backend calls it through ipcPage.
  (pageIpc as any).send = () => 'page send';
  gluon.ipcExpose({ with: () => 'page with', store: () => 'page store', ipcWith: () => 'page ipcWith' });
  assert.equal(await win.ipcPage.send(), 'page send');
  assert.equal(await win.ipcPage.with(), 'page with');
  assert.equal(await win.ipcPage.store(), 'page store');
  assert.equal(await win.ipcWith({ timeout: 1000 }).page.ipcWith(), 'page ipcWith');
  assert.equal(typeof pageIpc.send, 'function');
  assert.equal(await pageIpc.send('nobody listens'), null, 'Gluon.ipc.send is still the API');
  // A page still written for the old place of gluon-ts's page API is told where it went.
  ipc.unexpose('expose');
  delete ipc.with;
  await assert.rejects(pageIpc.expose('render'), {
    name: 'ReferenceError',
    message: /No function named 'expose' is exposed by the backend\..*Gluon\.ipc\.expose calls a backend function of that name.*gluon-ts's own is Gluon\.ipcExpose/,
  });
  await assert.rejects(pageIpc.with({ timeout: 5 }), { name: 'ReferenceError', message: /gluon-ts's own is Gluon\.ipcWith/ });
});
