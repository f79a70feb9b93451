// The loopback data channel in a real browser: local apps move their IPC onto it once the
// page is up, with no frame overtaking another; what does not allow it stays on the browser
// protocol; nobody but the app's own document can open it; and losing it fails nothing silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import * as Gluon from '../../src/index.js';
import { INTERNALS } from '../../src/window/window.js';
import type { IpcConnection } from '../../src/window/connect.js';
import { sharedBrowser, sleep, waitFor } from './helpers.js';

/** These tests look at pages, not at how a browser starts or ends: their windows share one browser. */
const open = sharedBrowser();

const connectionOf = (win: Gluon.Window): IpcConnection => (win as any)[INTERNALS].connection;

/** Waits for the page's load, then up to 5 s (a loaded machine: up to 2 s was seen too short once on Firefox) for the channel to be `on`. */
async function waitForChannel(win: Gluon.Window, on = true): Promise<void> {
  const connection = connectionOf(win);
  await win.page.loaded;
  const deadline = Date.now() + 5000;
  while (connection.usingDataChannel !== on && Date.now() < deadline) await sleep(10);
  assert.equal(connection.usingDataChannel, on, `the data channel is ${on ? 'on' : 'off'}`);
}

test('a local app moves its IPC to the data channel while messages flow, and none overtakes another, either way', async () => {
  const win = await open('channel');
  try {
    const connection = connectionOf(win);
    const fromPage: number[] = [];
    win.ipc.on('seq', (n: number) => void fromPage.push(n));
    const storeSeen: number[] = [];
    win.ipc.store.onChange(({ key, value, remote }) => {
      if (key === 'last' && remote) storeSeen.push(value as number);
    });
    // The backend's own burst, from right after open() (held until the page is there), until the
    // data channel has carried some of it both ways (or 20 s); then the page stops too.
    let sent = 0;
    const started = Date.now();
    while ((connection.counts.sentDataChannel < 20 || connection.counts.receivedDataChannel < 20) && Date.now() - started < 20_000) {
      for (let i = 0; i < 20; i++) void win.ipc.send('seq', sent++);
      await sleep(1);
    }
    win.ipc.store.stop = true;
    const pageSent = await win.page.eval<number>('window.burst');
    await waitFor(win, `window.fromBackend.length >= ${sent}`, 10_000);
    for (let i = 0; i < 200 && fromPage.length < pageSent; i++) await sleep(10);

    const inOrder = (list: number[], count: number) => list.length === count && list.every((n, i) => n === i);
    assert.ok(inOrder(fromPage, pageSent), `the backend got the page's ${pageSent} events in order (got ${fromPage.length})`);
    assert.ok(inOrder(await win.page.eval<number[]>('window.fromBackend'), sent), `the page got the backend's ${sent} events in order`);
    assert.equal(storeSeen.length, pageSent);
    assert.ok(storeSeen.every((n, i) => n === i), 'store writes arrived in order, interleaved with the events');
    assert.equal(win.ipc.store.last, pageSent - 1);
    // Both directions used both channels: the switch happened in the middle of the traffic.
    const { counts } = connection;
    assert.ok(counts.receivedControl > 0 && counts.receivedDataChannel > 0, `page -> backend: ${JSON.stringify(counts)}`);
    assert.ok(counts.sentControl > 0 && counts.sentDataChannel > 0, `backend -> page: ${JSON.stringify(counts)}`);
    assert.equal(connection.usingDataChannel, true);
    assert.deepEqual(await win.page.eval('window.violations'), []);
  } finally {
    await win.close();
  }
});

for (const [name, options, channel] of [
  ['the data channel', {}, true],
  ['the browser protocol (loopbackIPC: false)', { loopbackIPC: false }, false],
] as const) {
  test(`over ${name}: values, errors, a 10 MB payload, streams, page-side expose and the store work both ways`, async () => {
    const win = await open('app', options);
    try {
      await win.page.loaded;
      await waitForChannel(win, channel);
      win.ipc.echo = (value: unknown) => value;
      win.ipc.fails = () => { throw new RangeError('out of range', { cause: { code: 7 } }); };
      win.ipc.count = async function* (to: number) { for (let i = 1; i <= to; i++) yield i; };
      win.ipc.store.theme = 'dark';
      const got = await win.page.eval<any>(`(async () => {
        const big = 'x'.repeat(10 << 20);
        const value = { when: new Date(5), set: new Set([1n]), bytes: new Uint8Array([1, 2]), nothing: undefined, zero: -0 };
        const back = await Gluon.ipc.echo(value);
        const error = await Gluon.ipc.fails().catch((e) => [e instanceof RangeError, e.message, e.cause.code]);
        const items = [];
        for await (const n of await Gluon.ipc.count(5)) items.push(n);
        Gluon.ipcExpose('pageDouble', (n) => n * 2);
        return {
          sameValue: back.when.getTime() === 5 && back.set.has(1n) && back.bytes[1] === 2 && 'nothing' in back && Object.is(back.zero, -0),
          error, items, bigBack: (await Gluon.ipc.echo(big)) === big, theme: Gluon.ipc.store.theme,
        };
      })()`);
      assert.deepEqual(got, { sameValue: true, error: [true, 'out of range', 7], items: [1, 2, 3, 4, 5], bigBack: true, theme: 'dark' });
      assert.equal(await win.ipcPage.pageDouble(21), 42);
      const big = 'y'.repeat(10 << 20);
      assert.equal((await win.ipc.send('nobody listens', big)), null);
      await win.page.eval(`Gluon.ipc.on('echo back', (data) => data)`);
      assert.equal(await win.ipc.send('echo back', big), big);
      assert.equal(connectionOf(win).usingDataChannel, channel, 'still on the same channel');
      if (!channel) assert.equal(connectionOf(win).counts.sentDataChannel + connectionOf(win).counts.receivedDataChannel, 0);
    } finally {
      await win.close();
    }
  });
}

test('a localCSP that does not allow the data channel keeps IPC on the browser protocol, with no blocked attempt; one that allows ws://127.0.0.1:* gets it', async () => {
  const strict = await open('channel', { localCSP: "default-src 'self'; script-src 'self' 'unsafe-inline'" });
  try {
    strict.ipc.on('seq', () => {});
    // 3 s of the page's burst (an allowed channel is up well within that on a calm machine; the
    // page's record of CSP violations shows none was even tried), then the page stops, instead of
    // the fixture's own 20 s.
    await sleep(3000);
    strict.ipc.store.stop = true;
    await strict.page.eval('window.burst');
    assert.equal(connectionOf(strict).usingDataChannel, false);
    assert.equal(connectionOf(strict).counts.receivedDataChannel, 0);
    assert.deepEqual(await strict.page.eval('window.violations'), [], 'no connection was tried, so the CSP blocked nothing');
  } finally {
    await strict.close();
  }
  const allowing = await open('channel', { localCSP: "default-src 'self'; script-src 'self' 'unsafe-inline'; connect-src 'self' ws://127.0.0.1:*" });
  try {
    allowing.ipc.on('seq', () => {});
    await waitForChannel(allowing, true);
  } finally {
    await allowing.close();
  }
});

test('page code cannot open the data channel itself: no token, a made-up token, a same-origin iframe; IPC is unharmed', async () => {
  const win = await open('app');
  try {
    await win.page.loaded;
    await waitForChannel(win, true);
    win.ipc.ping = () => 'pong';
    const got = await win.page.eval<any>(`(async () => {
      const csp = (await fetch('/index.html')).headers.get('content-security-policy');
      const url = /ws:\\/\\/127\\.0\\.0\\.1:\\d+/.exec(csp)[0] + '/gluon';
      const attempt = (socketClass, protocols) => new Promise((resolve) => {
        const socket = new socketClass(url, protocols);
        socket.onopen = () => { resolve('open'); socket.close(); };
        socket.onclose = () => resolve('refused');
      });
      const frame = document.createElement('iframe');
      frame.src = '/frames.html';
      document.body.append(frame);
      await new Promise((resolve) => (frame.onload = resolve));
      return {
        url,
        noToken: await attempt(WebSocket),
        madeUp: await attempt(WebSocket, ['gluon.' + 'ab'.repeat(32)]),
        fromIframe: await attempt(frame.contentWindow.WebSocket, ['gluon.' + 'cd'.repeat(32)]),
        iframeHasGluon: 'Gluon' in frame.contentWindow,
        ping: await Gluon.ipc.ping(),
      };
    })()`);
    assert.match(got.url, /^ws:\/\/127\.0\.0\.1:\d+\/gluon$/);
    assert.deepEqual({ ...got, url: undefined }, { url: undefined, noToken: 'refused', madeUp: 'refused', fromIframe: 'refused', iframeHasGluon: false, ping: 'pong' });
    assert.equal(connectionOf(win).usingDataChannel, true);
  } finally {
    await win.close();
  }
});

test('another program on this machine cannot connect: a forged Origin with no token or a guessed token gets 403', async () => {
  const win = await open('app');
  try {
    await win.page.loaded;
    const csp = await win.page.eval<string>(`fetch('/index.html').then((r) => r.headers.get('content-security-policy'))`);
    const url = `${/ws:\/\/127\.0\.0\.1:\d+/.exec(csp)![0]}/gluon`;
    const attempt = (protocols: string[], origin?: string) => new Promise<string>((resolve) => {
      const socket = new WebSocket(url, protocols, { origin });
      socket.on('open', () => { resolve('open'); socket.close(); });
      socket.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      socket.on('error', () => resolve('error'));
    });
    assert.equal(await attempt([], Gluon.APP_ORIGIN), '403');
    assert.equal(await attempt([`gluon.${'0'.repeat(64)}`], Gluon.APP_ORIGIN), '403');
    assert.equal(await attempt([`gluon.${'0'.repeat(64)}`]), '403');
  } finally {
    await win.close();
  }
});

test('after a reload the new document gets its own data channel', async () => {
  const win = await open('app');
  try {
    await win.page.loaded;
    await waitForChannel(win, true);
    const before = connectionOf(win).counts.receivedDataChannel;
    win.ipc.echo = (value: unknown) => value;
    await win.page.reload();
    await waitFor(win, 'window.moduleResult');
    await waitForChannel(win, true);
    assert.equal(await win.page.eval(`Gluon.ipc.echo('after reload')`), 'after reload');
    assert.ok(connectionOf(win).counts.receivedDataChannel > before, 'the reply went over the new data channel');
  } finally {
    await win.close();
  }
});

test('when the data channel breaks, calls waiting on it fail with IPCClosedError on both sides and IPC goes on over the browser protocol', async () => {
  const win = await open('app', { ipcWait: 500 });
  try {
    await win.page.loaded;
    await waitForChannel(win, true);
    win.ipc.never = () => new Promise(() => {});
    win.ipc.echo = (value: unknown) => value;
    await win.page.eval(`
      window.pending = Gluon.ipc.never().then(() => 'resolved', (e) => e.name + ': ' + e.message);
      Gluon.ipcExpose({ pageNever: () => new Promise(() => {}), pageEcho: (v) => v });
      undefined`);
    await sleep(50);
    const backendPending = win.ipcPage.pageNever().then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`);
    await sleep(50);
    connectionOf(win).dropDataChannel();
    assert.match(await win.page.eval<string>('window.pending'), /^IPCClosedError: never\(\) failed: the data channel to the backend closed/);
    assert.match(await backendPending, /^IPCClosedError: pageNever\(\) failed/);
    assert.equal(await win.page.eval(`Gluon.ipc.echo('still here')`), 'still here');
    assert.equal(await win.ipcPage.pageEcho('both ways'), 'both ways');
    assert.equal(connectionOf(win).usingDataChannel, false);
  } finally {
    await win.close();
  }
});
