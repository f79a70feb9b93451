// The shared protocol connection (src/engine/connection.ts) as CDP uses it (chromium/cdp.ts),
// over an in-memory transport: replies find their commands, a session hears only its own
// events, dispose() removes every handler a session added, closing rejects what waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdpConnection, CdpError } from '../../src/engine/chromium/cdp.js';
import type { Transport } from '../../src/engine/transport.js';

class MemoryTransport implements Transport {
  readonly sent: any[] = [];
  closed = false;
  onmessage: (text: string) => void = () => {};
  onclose: () => void = () => {};
  send(text: string): void {
    if (this.closed) throw new Error('closed');
    this.sent.push(JSON.parse(text));
  }
  close(): void {
    this.closed = true;
    this.onclose();
  }
  receive(message: object): void {
    this.onmessage(JSON.stringify(message));
  }
}

test('a session sends with its id and hears only its own events; dispose() removes all it added', async () => {
  const transport = new MemoryTransport();
  const cdp = new CdpConnection(transport);
  const root = cdp.session();
  const page = cdp.session('S1');
  const heard: string[] = [];
  page.on('Page.loadEventFired', () => heard.push('page'));
  page.onAny('Page.loadEventFired', (_params, sessionId) => heard.push(`any ${sessionId}`));
  root.on('Page.loadEventFired', () => heard.push('root'));
  const reply = page.send('Runtime.evaluate', { expression: '1' });
  assert.deepEqual(transport.sent[0], { id: 1, method: 'Runtime.evaluate', params: { expression: '1' }, sessionId: 'S1' });
  transport.receive({ id: 1, result: { result: { type: 'number', value: 1 } } });
  assert.deepEqual(await reply, { result: { type: 'number', value: 1 } });
  void root.send('Browser.getVersion');
  assert.deepEqual(transport.sent[1], { id: 2, method: 'Browser.getVersion', params: {} });

  transport.receive({ method: 'Page.loadEventFired', params: {}, sessionId: 'S2' });
  transport.receive({ method: 'Page.loadEventFired', params: {}, sessionId: 'S1' });
  assert.deepEqual(heard, ['any S2', 'page', 'any S1']);
  assert.equal(cdp.handlerCount, 3);
  page.dispose();
  assert.equal(cdp.handlerCount, 1);
  page.on('Page.loadEventFired', () => heard.push('after dispose'));
  assert.equal(cdp.handlerCount, 1, 'a disposed session adds nothing');
});

test('an error reply rejects with the method named; a handler that throws does not stop the others', async () => {
  const transport = new MemoryTransport();
  const cdp = new CdpConnection(transport);
  const session = cdp.session('S1');
  const failing = session.send('Page.navigate', { url: 'x' });
  transport.receive({ id: 1, error: { code: -32000, message: 'Cannot navigate' } });
  await assert.rejects(failing, (error: CdpError) => error instanceof CdpError && error.message === 'Page.navigate: Cannot navigate' && error.code === -32000);
  let heard = 0;
  session.on('Page.frameNavigated', () => {
    throw new Error('handler bug');
  });
  session.on('Page.frameNavigated', () => heard++);
  transport.receive({ method: 'Page.frameNavigated', params: {}, sessionId: 'S1' });
  transport.onmessage('not json');
  assert.equal(heard, 1);
});

test('closing rejects waiting commands with the reason, once; later sends reject at once', async () => {
  const transport = new MemoryTransport();
  const cdp = new CdpConnection(transport);
  const reasons: string[] = [];
  cdp.onClose((reason) => reasons.push(reason));
  const waiting = cdp.session().send('Browser.close');
  cdp.close('the window was closed by the app');
  await assert.rejects(waiting, /Browser\.close: the window was closed by the app/);
  await assert.rejects(cdp.session('S1').send('Page.enable'), /Page\.enable: the window was closed by the app/);
  assert.deepEqual(reasons, ['the window was closed by the app']);
  assert.equal(transport.closed, true);

  const other = new CdpConnection(new MemoryTransport());
  const pending = other.session().send('Browser.getVersion');
  (other as any).transport.close(); // the browser went away
  await assert.rejects(pending, /the browser closed its protocol connection/);
});
