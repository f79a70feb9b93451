// Who can reach the browser's remote protocol: on Chromium nobody (a pipe, no listening
// socket); on Firefox only gluon-ts (a loopback socket whose one session it holds). And on
// Firefox, where backend -> page texts are aimed at the window rather than at one document,
// that a text meant for a replaced document never reaches its successor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { encodeMessage } from '../../src/ipc/codec.js';
import { joinFrame } from '../../src/ipc/wire.js';
import { INTERNALS } from '../../src/window/window.js';
import { ENGINE, listeningSockets, liveBrowserPids, openFixture, sleep, waitFor } from './helpers.js';

test(`the browser's remote protocol is reachable by gluon-ts alone (${ENGINE})`, { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const win = await openFixture('app');
  try {
    await win.page.loaded;
    win.ipc.ping = () => 'pong';
    const pids = await liveBrowserPids(win);
    const listening = await listeningSockets(pids);
    if (ENGINE === 'chromium') {
      assert.deepEqual(listening, [], 'Chromium listens on no TCP port: CDP goes over a pipe');
    } else {
      // One socket, on the IPv4 loopback address (0100007F in /proc's byte order), on the port Firefox picked.
      const { ws_port: port } = JSON.parse(await readFile(join(win.browser.profile, 'WebDriverBiDiServer.json'), 'utf8'));
      assert.deepEqual(listening, [`0100007F:${port}`]);
      const url = `ws://127.0.0.1:${port}/session`;
      // Another program: it can open the socket, but the one session is gluon-ts's.
      const other = new WebSocket(url);
      await new Promise((resolve, reject) => { other.once('open', resolve); other.once('error', reject); });
      const reply = await new Promise<any>((resolve) => {
        other.once('message', (data) => resolve(JSON.parse(String(data))));
        other.send(JSON.stringify({ id: 1, method: 'session.new', params: { capabilities: {} } }));
      });
      assert.equal(reply.type, 'error');
      assert.equal(reply.error, 'session not created');
      assert.match(reply.message, /Maximum number of active sessions/);
      other.close();
      // A web page (any handshake with an Origin header) is turned away before it gets a socket.
      const status = await new Promise<number | string>((resolve) => {
        const page = new WebSocket(url, { origin: 'https://app.gluon.invalid' });
        page.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        page.once('open', () => { resolve('open'); page.close(); });
        page.once('error', () => resolve('error'));
      });
      assert.equal(status, 400);
    }
    assert.equal(await win.page.eval('Gluon.ipc.ping()'), 'pong', 'the window is unharmed');
  } finally {
    await win.close();
  }
});

test('Firefox: a backend -> page text meant for a document that was replaced is dropped by the new one', { skip: ENGINE !== 'firefox' && 'the Firefox engine only' }, async () => {
  const win = await openFixture('app', { loopbackIPC: false });
  try {
    await win.page.loaded;
    // The window's Firefox page delegate (behind the neutral Page), and the ids its documents drew, by realm.
    const ff = (win as any)[INTERNALS].engine.delegate;
    const docs: Map<string, string> = ff.docs;
    // The id the current document drew in the preload script, once the engine has it.
    const docId = async (not?: string): Promise<string> => {
      for (let i = 0; i < 500; i++) {
        const doc = docs.get(ff.topRealm);
        if (doc && doc !== not) return doc;
        await sleep(10);
      }
      throw new Error('the engine never learnt the document id');
    };
    // A store update, sent as the engine sends every text: to the window, tagged with a document id.
    const post = (key: string, doc: string) => ff.bidi.send('script.callFunction', {
      functionDeclaration: `(text, doc) => { globalThis[${JSON.stringify(ff.guardName)}](text, doc); }`,
      arguments: [{ type: 'string', value: joinFrame([encodeMessage({ k: 'store', key, value: key })]) }, { type: 'string', value: doc }],
      target: { context: ff.context },
      awaitPromise: false,
    });
    const first = await docId();
    await post('before', first);
    await waitFor(win, 'Gluon.ipc.store.before === "before"');
    await win.page.reload();
    const second = await docId(first);
    await post('stale', first);
    await post('fresh', second);
    await waitFor(win, 'Gluon.ipc.store.fresh === "fresh"');
    assert.equal(await win.page.eval('Gluon.ipc.store.stale'), undefined, 'the text for the old document was dropped');
    // And the normal path still works after the reload.
    win.ipc.ping = () => 'pong';
    assert.equal(await win.page.eval('Gluon.ipc.ping()'), 'pong');
  } finally {
    await win.close();
  }
});
