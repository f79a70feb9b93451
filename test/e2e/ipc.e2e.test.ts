// The IPC as Gluon documents it, in a real headless browser: expose, events, store,
// window.Gluon before page scripts, errors, reloads, navigation and frame isolation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Window } from '../../src/index.js';
import { ENGINE, openFixture, sleep, waitFor } from './helpers.js';

let win: Window;
before(async () => {
  win = await openFixture('app', { ipcWait: 400 });
  await win.page.loaded;
});
after(() => win?.close());

test('window.Gluon exists before the first page script runs, with Gluon.versions filled in', async () => {
  const early = await win.page.eval<any>('window.early');
  assert.equal(early.hasGluon, true);
  const v = early.versions;
  for (const key of ['gluon', 'node', 'browser', 'browserType', 'product', 'builder']) assert.equal(typeof v[key], 'string', key);
  assert.equal(v.node, process.versions.node);
  assert.equal(v.browserType, ENGINE);
  assert.equal(v.js.node, process.versions.v8);
  assert.match(v.js.browser, /^\d+\.\d+/);
  assert.deepEqual(v.embedded, { node: false, browser: false });
  assert.equal(v.browser, win.versions.product.version);
});

test('every expose shape works, and the page gets return values exactly, 0 / false / "" / null included', async () => {
  win.ipc.echo = (...args: unknown[]) => args;
  win.ipc.expose('sum', (a: number, b: number) => a + b);
  win.ipc.expose({ upper: (s: string) => s.toUpperCase(), later: async () => { await sleep(5); return 'later'; } });
  const got = await win.page.eval(`(async () => [
    await Gluon.ipc.echo(0, false, '', null, 'x', { a: [1, 2] }),
    await Gluon.ipc.sum(2, 3),
    await Gluon.ipc.upper('abc'),
    await Gluon.ipc.later(),
    await Gluon.ipc.echo(),
  ])()`);
  assert.deepEqual(got, [[0, false, '', null, 'x', { a: [1, 2] }], 5, 'ABC', 'later', []]);
  for (const value of [0, false, '', null]) {
    assert.deepEqual(await win.page.eval(`Gluon.ipc.echo(${JSON.stringify(value)}).then((r) => r[0])`), value);
  }
  // undefined does not exist in JSON but must not turn into null either
  assert.equal(await win.page.eval(`Gluon.ipc.echo(undefined).then((r) => r[0] === undefined && r.length === 1)`), true);
});

test('unexpose and delete remove a function; a call for an unknown name rejects at once with a clear error', async () => {
  win.ipc.gone1 = () => 1;
  win.ipc.expose('gone2', () => 2);
  assert.equal(await win.page.eval('Gluon.ipc.gone1()'), 1);
  delete win.ipc.gone1;
  win.ipc.unexpose('gone2');
  assert.equal(win.ipc.gone1, undefined);
  const started = Date.now();
  const [a, b] = await win.page.eval<string[]>(`Promise.all([
    Gluon.ipc.gone1().then(() => 'resolved', (e) => e.name + ': ' + e.message),
    Gluon.ipc.gone2().then(() => 'resolved', (e) => e.name + ': ' + e.message),
  ])`);
  assert.match(a, /^ReferenceError: No function named 'gone1' is exposed by the backend\. Exposed: /);
  assert.match(b, /No function named 'gone2'/);
  assert.ok(Date.now() - started < 350, 'the backend is up: no wait for the bound (ipcWait 400)');
});

test('a throwing exposed function rejects the page promise with its name and message; the backend keeps running', async () => {
  win.ipc.fails = () => { throw new TypeError('bad input'); };
  win.ipc.failsAsync = async () => { const error = new Error('disk full'); error.name = 'StorageError'; throw error; };
  win.ipc.alive = () => 'alive';
  const got = await win.page.eval(`(async () => {
    const out = [];
    for (const name of ['fails', 'failsAsync']) {
      try { await Gluon.ipc[name](); out.push('resolved'); } catch (e) { out.push([e instanceof TypeError, e.name, e.message]); }
    }
    out.push(await Gluon.ipc.alive());
    return out;
  })()`);
  assert.deepEqual(got, [[true, 'TypeError', 'bad input'], [false, 'StorageError', 'disk full'], 'alive']);
});

test('events: the page sends, the backend replies; removeListener stops a listener; no reply means null', async () => {
  const seen: unknown[] = [];
  const quiet = (data: unknown) => { seen.push(data); };
  win.ipc.on('get config', quiet);
  win.ipc.on('get config', async () => ({ theme: 'dark' }));
  assert.deepEqual(await win.page.eval(`Gluon.ipc.send('get config', { from: 'page' })`), { theme: 'dark' });
  assert.deepEqual(seen, [{ from: 'page' }]);
  win.ipc.removeListener('get config', quiet);
  await win.page.eval(`Gluon.ipc.send('get config', 2)`);
  assert.equal(seen.length, 1);
  win.ipc.on('no reply', () => undefined);
  assert.equal(await win.page.eval(`Gluon.ipc.send('no reply')`), null);
  win.ipc.on('falsy reply', () => 0);
  assert.equal(await win.page.eval(`Gluon.ipc.send('falsy reply')`), 0);
});

test('events: the backend sends, the page replies; the page can remove its listener', async () => {
  await win.page.eval(`
    window.refreshes = [];
    window.onRefresh = (data) => { window.refreshes.push(data); return 'done ' + data.id; };
    Gluon.ipc.on('refresh', window.onRefresh);
  `);
  assert.equal(await win.ipc.send('refresh', { id: 1 }), 'done 1');
  assert.deepEqual(await win.page.eval('window.refreshes'), [{ id: 1 }]);
  await win.page.eval(`Gluon.ipc.removeListener('refresh', window.onRefresh)`);
  assert.equal(await win.ipc.send('refresh', { id: 2 }), null, 'with no listener the event resolves null after the bound');
});

test('a page listener that throws rejects the backend send with its error', async () => {
  await win.page.eval(`Gluon.ipc.on('explode', () => { throw new RangeError('page says no'); })`);
  await assert.rejects(win.ipc.send('explode'), { name: 'RangeError', message: 'page says no' });
});

test('the store is kept in step both ways: property access, get, set, keys, delete', async () => {
  win.ipc.store.user = 'ada';
  win.ipc.store.set('count', 0);
  await waitFor(win, `Gluon.ipc.store.user === 'ada'`);
  assert.deepEqual(await win.page.eval(`[Gluon.ipc.store.user, Gluon.ipc.store.get('count'), Gluon.ipc.store.keys().sort()]`), ['ada', 0, ['count', 'user']]);
  await win.page.eval(`Gluon.ipc.store.theme = 'dark'; Gluon.ipc.store.set('n', 5); delete Gluon.ipc.store.user;`);
  for (let i = 0; i < 100 && win.ipc.store.theme !== 'dark'; i++) await sleep(10);
  assert.equal(win.ipc.store.theme, 'dark');
  assert.equal(win.ipc.store.get('n'), 5);
  assert.equal(win.ipc.store.user, undefined);
  assert.deepEqual(win.ipc.store.keys().sort(), ['count', 'n', 'theme']);
  win.ipc.store.delete('n');
  await waitFor(win, `Gluon.ipc.store.n === undefined && Gluon.ipc.store.keys().length === 2`);
});

test('store.onChange tells each side about changes, with who made them', async () => {
  const seen: any[] = [];
  const off = win.ipc.store.onChange((change: any) => seen.push(change));
  await win.page.eval(`window.pageChanges = []; Gluon.ipc.store.onChange((c) => window.pageChanges.push(c)); Gluon.ipc.store.color = 'red'; undefined`);
  for (let i = 0; i < 100 && !seen.some((c) => c.key === 'color'); i++) await sleep(10);
  assert.deepEqual(seen.find((c) => c.key === 'color'), { key: 'color', value: 'red', deleted: false, remote: true });
  win.ipc.store.size = 3;
  assert.deepEqual(await waitFor(win, `window.pageChanges.find((c) => c.key === 'size')`), { key: 'size', value: 3, deleted: false, remote: true });
  off();
});

test('after a reload the store is there before page scripts, and IPC works again', async () => {
  win.ipc.store.reloaded = 'yes';
  await sleep(50);
  await win.page.reload();
  await waitFor(win, `window.early && window.moduleResult`);
  const early = await win.page.eval<any>('window.early');
  assert.equal(early.hasGluon, true);
  assert.equal(early.store.reloaded, 'yes', 'the first page script already saw the store');
  win.ipc.afterReload = () => 'works';
  assert.equal(await win.page.eval('Gluon.ipc.afterReload()'), 'works');
});

test('a backend send pending while the page reloads rejects with a clear error', async () => {
  await win.page.eval(`Gluon.ipc.on('hang', () => new Promise(() => {}))`);
  const pending = win.ipc.send('hang');
  const rejected = assert.rejects(pending, { name: 'IPCClosedError', message: /reloaded or navigated/ });
  await sleep(50);
  await win.page.reload();
  await rejected;
  await waitFor(win, 'window.moduleResult');
});

test('IPC works after a same-origin navigation', async () => {
  await win.page.eval(`location.href = '/sub/index.html'`);
  await waitFor(win, `document.title === 'Sub page' && typeof Gluon === 'object'`);
  win.ipc.onSub = () => 'sub ok';
  assert.equal(await win.page.eval('Gluon.ipc.onSub()'), 'sub ok');
  await win.page.eval(`location.href = '/index.html'`);
  await waitFor(win, 'window.moduleResult');
});

test('only the top-level frame of the app origin reaches the backend: frames get no Gluon and their messages are dropped', async () => {
  const calls: string[] = [];
  win.ipc.record = (from: string) => { calls.push(from); return 'recorded'; };
  await win.page.eval(`location.href = '/frames.html'`);
  await waitFor(win, `document.title === 'Frames' && window.frameMessages && window.frameMessages.includes('opaque frame done')`);
  const frameInfo = await win.page.eval<any>(`(() => {
    const same = document.getElementById('same').contentWindow;
    return { sameHasGluon: 'Gluon' in same, messages: window.frameMessages };
  })()`);
  assert.equal(frameInfo.sameHasGluon, false, 'a same-origin iframe does not get window.Gluon');
  // A same-origin frame can see the engine's raw channel in its own global; it forges a call through it.
  const forged = await win.page.eval<number>(`(() => {
    const same = document.getElementById('same').contentWindow;
    let forged = 0;
    for (const key of Object.getOwnPropertyNames(same)) {
      if (key.startsWith('__gluon_send_')) {
        same[key]('[[{"k":1,"id":2,"name":3,"args":4},"call",1,"record",[5],"from same-origin frame"]]');
        forged++;
      }
    }
    return forged;
  })()`);
  assert.equal(forged, 1, 'the frame found the raw channel and forged a call');
  await sleep(300);
  assert.deepEqual(calls, [], 'no frame reached an exposed function');
  assert.equal(await win.page.eval(`Gluon.ipc.record('top')`), 'recorded');
  assert.deepEqual(calls, ['top']);
  await win.page.eval(`location.href = '/index.html'`);
  await waitFor(win, 'window.moduleResult');
});

test('1000 concurrent calls all resolve, in one batch each way', async () => {
  win.ipc.square = (n: number) => n * n;
  const results = await win.page.eval<number[]>(`Promise.all(Array.from({ length: 1000 }, (_, i) => Gluon.ipc.square(i)))`);
  assert.equal(results.length, 1000);
  assert.ok(results.every((value, i) => value === i * i));
});
