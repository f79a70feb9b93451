// The Firefox delegates (engine/firefox/ffBrowser.ts, ffPage.ts), in memory, against a fake BiDi
// connection: which window an event or a request reaches, the held start document, the document
// guard of postToPage, and that a window leaves no handler or preload script behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FoundBrowser } from '../../src/browser/find.js';
import type { InterceptedRequest, PageCallbacks } from '../../src/engine/delegate.js';
import type { BidiConnection } from '../../src/engine/firefox/bidi.js';
import { FirefoxBrowser } from '../../src/engine/firefox/ffBrowser.js';

function fakeBidi() {
  const handlers = new Map<string, Set<(params: any) => void>>();
  const sent: { method: string; params: any }[] = [];
  let windows = 0;
  let scripts = 0;
  const answers: Record<string, (params: any) => unknown> = {
    'session.new': () => ({ capabilities: { browserVersion: '153.0', userAgent: 'Mozilla/5.0 Firefox/153.0' } }),
    'browsingContext.getTree': () => ({ contexts: [{ context: 'top-1' }] }),
    'script.evaluate': () => ({ type: 'success', realm: 'r', result: { type: 'string', value: 'Mozilla/5.0 (X11) Gecko/20100101 Firefox/153.0' } }),
    'script.addPreloadScript': () => ({ script: `script-${++scripts}` }),
    'browsingContext.create': () => ({ context: `win-${++windows}` }),
    'script.getRealms': () => ({ realms: [] }),
    'browsingContext.navigate': () => ({ navigation: 'nav-1' }),
    'browsingContext.close': ({ context }) => {
      setImmediate(() => emit('browsingContext.contextDestroyed', { context }));
      return {};
    },
  };
  const emit = (event: string, params: unknown) => {
    for (const handler of handlers.get(event) ?? []) handler(params);
  };
  const bidi = {
    closed: false,
    send: async (method: string, params: any) => {
      sent.push({ method, params });
      return answers[method]?.(params) ?? {};
    },
    on: (event: string, handler: (params: any) => void) => {
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(handler);
      return () => set!.delete(handler);
    },
    onClose: () => () => {},
    close: () => {},
  } as unknown as BidiConnection;
  const handlerCount = () => [...handlers.values()].reduce((n, set) => n + set.size, 0);
  return { bidi, sent, emit, handlerCount };
}

const found = { name: 'Firefox', path: '/nonexistent/firefox', engine: 'firefox' } as unknown as FoundBrowser;

function recorder() {
  const seen = { documents: [] as string[], messages: [] as { text: string; topFrame: boolean }[], requests: [] as InterceptedRequest[], closed: [] as string[] };
  const callbacks: PageCallbacks = {
    documentCommitted: (realm) => seen.documents.push(realm),
    loaded: () => {},
    messageReceived: (text, from) => seen.messages.push({ text, topFrame: from.topFrame }),
    requestIntercepted: (request) => seen.requests.push(request),
    closed: (reason) => seen.closed.push(reason),
    browserQuitting: () => {},
    closeRequested: () => {},
  };
  return { seen, callbacks };
}

const request = (id: string, url: string, context: string | null, navigation: string | null = null) => ({
  isBlocked: true, context, navigation, request: { request: id, url, method: 'GET', headers: [{ name: 'Accept', value: { type: 'string', value: '*/*' } }] },
});

test('the start document is held until navigate(), then reaches the Page; the version comes from the user agent', async () => {
  const { bidi, sent, emit } = fakeBidi();
  const browser = await FirefoxBrowser.start(bidi, found, 'https://app.test/');
  assert.equal(browser.versions.product, '153.0');
  const { seen, callbacks } = recorder();
  const page = await browser.newPage(callbacks, { send: 'S', receive: 'R' }, {});
  emit('network.beforeRequestSent', request('req-1', 'https://app.test/', 'top-1', 'nav-0'));
  assert.equal(seen.requests.length, 0, 'held');
  const navigated = page.navigate('https://app.test/');
  assert.equal(seen.requests.length, 1);
  assert.deepEqual(
    { url: seen.requests[0]!.url, topFrame: seen.requests[0]!.topFrame, navigation: seen.requests[0]!.navigation, headers: seen.requests[0]!.headers },
    { url: 'https://app.test/', topFrame: true, navigation: true, headers: { Accept: '*/*' } },
  );
  await seen.requests[0]!.fulfill({ status: 404, headers: { 'Content-Type': 'text/plain' }, body: new TextEncoder().encode('no') });
  assert.deepEqual(sent.at(-1)!.params.reasonPhrase, 'Not Found');
  emit('script.realmCreated', { type: 'window', realm: 'realm-1', context: 'top-1', origin: 'https://app.test' });
  await navigated;
  assert.deepEqual(seen.documents, ['realm-1']);
  assert.ok(!sent.some((m) => m.method === 'browsingContext.navigate'), 'the start load is waited for, not asked again');
});

test("requests and messages reach their own window: a frame's its top window's, a worker's the oldest", async () => {
  const { bidi, emit, sent } = fakeBidi();
  const browser = await FirefoxBrowser.start(bidi, found);
  const one = recorder();
  const two = recorder();
  await browser.newPage(one.callbacks, { send: 'S1', receive: 'R1' }, {});
  const page2 = await browser.newPage(two.callbacks, { send: 'S2', receive: 'R2' }, {});
  emit('browsingContext.contextCreated', { context: 'frame-2', parent: 'win-1' });
  emit('network.beforeRequestSent', request('a', 'https://app.test/frame.js', 'frame-2'));
  emit('network.beforeRequestSent', request('b', 'https://app.test/worker.js', null));
  assert.deepEqual(two.seen.requests.map((r) => [r.url, r.topFrame]), [['https://app.test/frame.js', false]]);
  assert.deepEqual(one.seen.requests.map((r) => r.url), ['https://app.test/worker.js']);

  // A document tells its id first thing; only its later messages are the page's.
  emit('script.realmCreated', { type: 'window', realm: 'realm-2', context: 'win-1', origin: 'https://app.test' });
  assert.deepEqual(two.seen.documents, ['realm-2']);
  const channel = (page2 as unknown as { channel: string }).channel;
  await page2.postToPage('first');
  assert.deepEqual(sent.at(-1)!.params.target, { realm: 'realm-2' }, 'by realm until the document told its id');
  emit('script.message', { channel, data: { type: 'string', value: '\u0003gluon-doc:42' }, source: { realm: 'realm-2', context: 'win-1' } });
  await page2.postToPage('second');
  assert.deepEqual([sent.at(-1)!.params.target, sent.at(-1)!.params.arguments], [{ context: 'win-1' }, [{ type: 'string', value: 'second' }, { type: 'string', value: '42' }]]);
  emit('script.message', { channel, data: { type: 'string', value: 'hello' }, source: { realm: 'realm-2', context: 'win-1' } });
  assert.deepEqual(two.seen.messages, [{ text: 'hello', topFrame: true }]);
  assert.deepEqual(one.seen.messages, []);
});

test('closing and disposing windows leaves the connection with the handlers it had, and removes their preload scripts', async () => {
  const { bidi, sent, handlerCount } = fakeBidi();
  const browser = await FirefoxBrowser.start(bidi, found);
  await browser.newPage(recorder().callbacks, { send: 'S0', receive: 'R0' }, {});
  const before = handlerCount();
  for (let i = 0; i < 50; i++) {
    const { seen, callbacks } = recorder();
    const page = await browser.newPage(callbacks, { send: `S${i}`, receive: `R${i}` }, {});
    await page.addInitScript('void 0');
    page.onBidi!('log.entryAdded', () => {});
    page.onCdp('Page.loadEventFired', () => {});
    await page.closeWindow();
    assert.deepEqual(seen.closed, ['the window was closed']);
    page.dispose();
  }
  assert.equal(handlerCount(), before);
  const added = sent.filter((m) => m.method === 'script.addPreloadScript').length;
  const removed = sent.filter((m) => m.method === 'script.removePreloadScript').length;
  assert.equal(added - removed, 1, "only the open window's channel is left");
});
