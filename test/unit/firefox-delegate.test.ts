// The Firefox delegates (engine/firefox/ffBrowser.ts, ffPage.ts), in memory, against a fake BiDi
// connection: which window an event or a request reaches, the start on an empty page and the first
// navigation after Firefox's own start-up load, the document guard of postToPage, and that a
// window leaves no handler or preload script behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FoundBrowser } from '../../src/browser/find.js';
import { FIREFOX_START_URL } from '../../src/browser/firefox.js';
import type { InterceptedRequest, PageCallbacks } from '../../src/engine/delegate.js';
import type { BidiConnection } from '../../src/engine/firefox/bidi.js';
import { FirefoxBrowser } from '../../src/engine/firefox/ffBrowser.js';
import { FirefoxLauncher } from '../../src/engine/firefox/ffLauncher.js';

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
  return { bidi, sent, emit, handlerCount, answers };
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

test("Firefox starts on an empty data: page, never on the app's URL (it loads that as soon as its window is up, before the session's intercept may exist) nor on about:blank (which gives the keys to the hidden address bar)", async () => {
  const profileDir = await mkdtemp(join(tmpdir(), 'gluon-ts-ff-args-'));
  try {
    const { args } = await new FirefoxLauncher().prepare({ startUrl: 'https://app.gluon.invalid/', profileDir, headless: true, browser: found });
    assert.equal(args.at(-1), FIREFOX_START_URL);
    assert.match(FIREFOX_START_URL, /^data:/);
    assert.ok(!args.some((arg) => arg.includes('app.gluon.invalid')), args.join(' '));
  } finally {
    await rm(profileDir, { recursive: true, force: true });
  }
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("the app's first document is asked for once Firefox's own start-up load has begun (it would abort a navigation begun before it), and served", async () => {
  const { bidi, sent, emit, answers } = fakeBidi();
  // Firefox answers session.new after its start-up; its own load of the start page comes before.
  answers['session.new'] = () => new Promise(() => {});
  const browser = await FirefoxBrowser.start(bidi, found);
  assert.equal(browser.versions.product, '153.0');
  const { seen, callbacks } = recorder();
  const page = await browser.newPage(callbacks, { send: 'S', receive: 'R' }, {});
  await page.addInitScript('1');
  assert.ok(!sent.some((m) => m.method === 'script.evaluate' && m.params.expression === '1'), "not run in the start window's empty page");
  const navigated = page.navigate('https://app.test/');
  const navigations = () => sent.filter((m) => m.method === 'browsingContext.navigate').map((m) => m.params);
  await tick();
  assert.deepEqual(navigations(), [], 'not before Firefox begins to load its command line\'s page');
  // Begun: a navigation now replaces that load. Its `load` event is not waited for: Firefox holds
  // that document until its start-up's idle tasks are over (about 0.5 s on ESR 153).
  emit('browsingContext.navigationStarted', { context: 'top-1', navigation: 'nav-0', url: FIREFOX_START_URL });
  await tick();
  assert.deepEqual(navigations(), [{ context: 'top-1', url: 'https://app.test/', wait: 'none' }]);
  emit('network.beforeRequestSent', request('req-1', 'https://app.test/', 'top-1', 'nav-1'));
  assert.deepEqual(seen.requests.map((r) => [r.url, r.topFrame, r.navigation, r.headers]), [['https://app.test/', true, true, { Accept: '*/*' }]]);
  await seen.requests[0]!.fulfill({ status: 404, headers: { 'Content-Type': 'text/plain' }, body: new TextEncoder().encode('no') });
  assert.deepEqual(sent.at(-1)!.params.reasonPhrase, 'Not Found');
  emit('script.realmCreated', { type: 'window', realm: 'realm-1', context: 'top-1', origin: 'https://app.test' });
  await navigated;
  assert.deepEqual(seen.documents, ['realm-1']);
});

test("with that load's event missed (it came before the session subscribed), the answer to session.new says Firefox's start-up is over", async () => {
  const { bidi, sent, answers } = fakeBidi();
  let answer!: (value: unknown) => void;
  answers['session.new'] = () => new Promise((resolve) => (answer = resolve));
  const browser = await FirefoxBrowser.start(bidi, found);
  const page = await browser.newPage(recorder().callbacks, { send: 'S', receive: 'R' }, {});
  void page.navigate('https://app.test/');
  await tick();
  assert.equal(sent.filter((m) => m.method === 'browsingContext.navigate').length, 0);
  answer({ capabilities: {} });
  await tick();
  assert.equal(sent.filter((m) => m.method === 'browsingContext.navigate').length, 1);
  // Later navigations wait for nothing.
  void page.navigate('https://app.test/two');
  await tick();
  assert.equal(sent.filter((m) => m.method === 'browsingContext.navigate').length, 2);
});

test('a browser gone before it answered session.new leaves no unhandled rejection behind', async () => {
  const { bidi, answers } = fakeBidi();
  answers['session.new'] = () => Promise.reject(new Error('closed: the window was closed by the app'));
  await FirefoxBrowser.start(bidi, found);
  await tick();
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
