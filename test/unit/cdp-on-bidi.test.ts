// Window.cdp on Firefox, in memory: each CDP method's BiDi command and its answer in CDP's shape,
// against a fake BiDi connection that records what it is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdpOnBidi, remoteObject, type CdpHost } from '../../src/engine/firefox/cdp-on-bidi.js';
import { BidiError, type BidiConnection } from '../../src/engine/firefox/bidi.js';
import type { PdfOptions } from '../../src/engine/types.js';

function fakeFirefox(answers: Record<string, (params: any) => unknown> = {}) {
  const sent: { method: string; params: any }[] = [];
  const handlers = new Map<string, (params: unknown) => void>();
  const printed: PdfOptions[] = [];
  const bidi = {
    send: async (method: string, params: any) => {
      sent.push({ method, params });
      return answers[method]?.(params) ?? {};
    },
    on: (event: string, handler: (params: unknown) => void) => {
      handlers.set(event, handler);
      return () => handlers.delete(event);
    },
  } as unknown as BidiConnection;
  const host: CdpHost = {
    bidi,
    context: () => 'ctx-1',
    currentUrl: () => 'https://app.test/index.html',
    navigate: async (url) => {
      if (url.includes('blocked')) throw new Error('blocked');
      return 'nav-1';
    },
    wasBlocked: (url) => url.includes('blocked'),
    reload: async () => {},
    printToPDF: async (options) => {
      printed.push(options);
      return new TextEncoder().encode('%PDF-1.7');
    },
    browserInfo: async () => ({ version: '153.8.0', buildId: '20260101', userAgent: 'Mozilla/5.0 Firefox/153.0' }),
  };
  return { cdp: new CdpOnBidi(host), sent, handlers, printed };
}

test('BiDi values as CDP RemoteObjects, by reference and by value', () => {
  assert.deepEqual(remoteObject({ type: 'number', value: 42 }), { type: 'number', value: 42, description: '42' });
  assert.deepEqual(remoteObject({ type: 'number', value: '-0' }), { type: 'number', unserializableValue: '-0', description: '-0' });
  assert.deepEqual(remoteObject({ type: 'bigint', value: '7' }), { type: 'bigint', unserializableValue: '7n', description: '7n' });
  assert.deepEqual(remoteObject({ type: 'null' }), { type: 'object', subtype: 'null', value: null });
  assert.deepEqual(remoteObject({ type: 'map', value: [['k', { type: 'number', value: 1 }]] }), { type: 'object', subtype: 'map', className: 'Map', description: 'Map(1)' });
  const nested = { type: 'object', value: [['a', { type: 'array', value: [{ type: 'undefined' }, { type: 'string', value: 'x' }] }], ['gone', { type: 'undefined' }], ['f', { type: 'function' }], ['d', { type: 'date', value: '1970-01-01T00:00:00.000Z' }]] } as const;
  assert.deepEqual(remoteObject(nested as any, true), { type: 'object', value: { a: [null, 'x'], f: {}, d: {} } });
  const proto = remoteObject({ type: 'object', value: [['__proto__', { type: 'object', value: [['polluted', { type: 'boolean', value: true }]] }]] }, true);
  assert.equal(Object.getPrototypeOf(proto.value), Object.prototype, 'a __proto__ key stays a plain property');
  assert.deepEqual(Object.keys(proto.value), ['__proto__']);
});

test('Runtime.evaluate: its parameters as BiDi script.evaluate, and an exception in CDP shape', async () => {
  const { cdp, sent } = fakeFirefox({
    'script.evaluate': (params) => (params.expression === 'bad()'
      ? { type: 'exception', realm: 'r', exceptionDetails: { text: 'ReferenceError: bad is not defined', lineNumber: 0, columnNumber: 0, exception: { type: 'error' }, stackTrace: { callFrames: [{ functionName: 'f', url: 'https://app.test/a.js', lineNumber: 2, columnNumber: 4 }] } } }
      : { type: 'success', realm: 'r', result: { type: 'string', value: 'ok' } }),
  });
  assert.deepEqual(await cdp.send('Runtime.evaluate', { expression: '"ok"', awaitPromise: true, returnByValue: true, userGesture: true }), { result: { type: 'string', value: 'ok' } });
  assert.deepEqual(sent[0], {
    method: 'script.evaluate',
    params: { expression: '"ok"', target: { context: 'ctx-1' }, awaitPromise: true, resultOwnership: 'none', userActivation: true, serializationOptions: { maxObjectDepth: null, maxDomDepth: 0 } },
  });
  const reply: any = await cdp.send('Runtime.evaluate', { expression: 'bad()' });
  assert.equal(sent[1]!.params.awaitPromise, false, "CDP's default: no await");
  assert.equal(reply.result.className, 'ReferenceError');
  assert.equal(reply.result.description, 'ReferenceError: bad is not defined\n    at f (https://app.test/a.js:3:5)');
  assert.equal(reply.exceptionDetails.text, 'Uncaught');
  assert.deepEqual(reply.exceptionDetails.exception, reply.result);
});

test("Runtime.evaluate: Firefox's failed command for an awaited rejection becomes CDP's exceptionDetails", async () => {
  const { cdp } = fakeFirefox({
    'script.evaluate': () => {
      throw new BidiError('script.evaluate', 'unknown error', 'Error: Missing stack, unable to build exceptionDetails for exception: RangeError: r');
    },
  });
  const reply: any = await cdp.send('Runtime.evaluate', { expression: 'Promise.reject(new RangeError("r"))', awaitPromise: true });
  assert.equal(reply.result.className, 'RangeError');
  assert.equal(reply.exceptionDetails.exception.description, 'RangeError: r');
});

test('Page methods: init scripts, navigate (and its errorText), screenshot formats and clip, PDF options', async () => {
  const { cdp, sent, printed } = fakeFirefox({
    'script.addPreloadScript': () => ({ script: 'preload-1' }),
    'browsingContext.captureScreenshot': () => ({ data: 'AAAA' }),
  });
  assert.deepEqual(await cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: 'window.x = 1 // end' }), { identifier: 'preload-1' });
  assert.deepEqual(sent.at(-1), { method: 'script.addPreloadScript', params: { functionDeclaration: '() => {\nwindow.x = 1 // end\n}', contexts: ['ctx-1'] } });
  await cdp.send('Page.removeScriptToEvaluateOnNewDocument', { identifier: 'preload-1' });
  assert.deepEqual(sent.at(-1), { method: 'script.removePreloadScript', params: { script: 'preload-1' } });

  assert.deepEqual(await cdp.send('Page.navigate', { url: 'https://app.test/two.html' }), { frameId: 'ctx-1', loaderId: 'nav-1' });
  assert.deepEqual(await cdp.send('Page.navigate', { url: 'https://blocked.test/' }), { frameId: 'ctx-1', errorText: 'net::ERR_ABORTED' });

  assert.deepEqual(await cdp.send('Page.captureScreenshot', { format: 'jpeg', quality: 80, clip: { x: 1, y: 2, width: 30, height: 40, scale: 1 } }), { data: 'AAAA' });
  assert.deepEqual(sent.at(-1)!.params, {
    context: 'ctx-1', format: { type: 'image/jpeg', quality: 0.8 }, origin: 'document', clip: { type: 'box', x: 1, y: 2, width: 30, height: 40 },
  });
  await assert.rejects(cdp.send('Page.captureScreenshot', { clip: { x: 0, y: 0, width: 1, height: 1, scale: 2 } }), /cannot scale a clip/);

  const pdf: any = await cdp.send('Page.printToPDF', { landscape: true, paperWidth: 5, marginTop: 1, marginLeft: 0, pageRanges: '2-3', transferMode: 'ReturnAsBase64' });
  assert.equal(Buffer.from(pdf.data, 'base64').toString(), '%PDF-1.7');
  assert.deepEqual(printed[0], { landscape: true, paperWidth: 5, pageRanges: '2-3', margins: { top: 1, bottom: undefined, left: 0, right: undefined } });
  await assert.rejects(cdp.send('Page.printToPDF', { transferMode: 'ReturnAsStream' }), /stream/);
});

test('Input: CDP key events as WebDriver key actions, without typing a key twice; mouse events as pointer actions', async () => {
  const { cdp, sent } = fakeFirefox();
  const actionsOf = (i: number) => sent[i]!.params.actions[0].actions;
  await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key: 'Enter' });
  await cdp.send('Input.dispatchKeyEvent', { type: 'char', key: 'Enter', text: '\r' });
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Enter' });
  // rawKeyDown, char, keyUp: the char's text came with the keyDown, so the char sends nothing.
  assert.deepEqual(sent.map((_, i) => actionsOf(i)), [[{ type: 'keyDown', value: '\uE007' }], [{ type: 'keyUp', value: '\uE007' }]]);
  sent.length = 0;
  await cdp.send('Input.dispatchKeyEvent', { type: 'char', text: 'é' });
  assert.deepEqual(actionsOf(0), [{ type: 'keyDown', value: 'é' }, { type: 'keyUp', value: 'é' }], 'a char alone types it');
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'a', modifiers: 2 | 8 });
  assert.deepEqual(actionsOf(1), [
    { type: 'keyDown', value: '\uE009' }, { type: 'keyDown', value: '\uE008' }, { type: 'keyDown', value: 'a' }, { type: 'keyUp', value: '\uE008' }, { type: 'keyUp', value: '\uE009' },
  ], 'modifiers named only in the bit field are held around the key');
  assert.equal(sent[1]!.params.actions[0].id, 'gluon-keyboard');
  await assert.rejects(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'AudioVolumeMute' }), /AudioVolumeMute/);

  sent.length = 0;
  await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', x: 10.4, y: 20, button: 'right' });
  await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x: 10, y: 20, button: 'right' });
  await cdp.send('Input.dispatchMouseEvent', { type: 'mouseWheel', x: 1, y: 2, deltaX: 0, deltaY: 120 });
  assert.deepEqual(actionsOf(0), [{ type: 'pointerMove', x: 10, y: 20 }, { type: 'pointerDown', button: 2 }]);
  assert.deepEqual(actionsOf(1), [{ type: 'pointerMove', x: 10, y: 20 }, { type: 'pointerUp', button: 2 }]);
  assert.deepEqual(sent[2]!.params.actions[0], { type: 'wheel', id: 'gluon-wheel', actions: [{ type: 'scroll', x: 1, y: 2, deltaX: 0, deltaY: 120 }] });
});

test('Browser and Emulation: getVersion, close, setUserAgentOverride', async () => {
  const { cdp, sent } = fakeFirefox();
  assert.deepEqual(await cdp.send('Browser.getVersion'), {
    protocolVersion: '1.3', product: 'Firefox/153.8.0', revision: '20260101', userAgent: 'Mozilla/5.0 Firefox/153.0', jsVersion: '153.8.0',
  });
  await cdp.send('Emulation.setUserAgentOverride', { userAgent: 'Test/1' });
  await cdp.send('Emulation.setUserAgentOverride', { userAgent: '' });
  await cdp.send('Browser.close');
  assert.deepEqual(sent.map((s) => [s.method, s.params]), [
    ['emulation.setUserAgentOverride', { userAgent: 'Test/1', contexts: ['ctx-1'] }],
    ['emulation.setUserAgentOverride', { userAgent: null, contexts: ['ctx-1'] }],
    ['browser.close', {}],
  ]);
});

test('events: translated ones from their BiDi event, for this window only; the others, and untranslated commands, refused by name', async () => {
  const { cdp, sent, handlers } = fakeFirefox();
  const heard: unknown[] = [];
  cdp.on('Page.loadEventFired', (message) => heard.push(message));
  cdp.on('Runtime.consoleAPICalled', (message) => heard.push(message));
  assert.deepEqual(sent.map((s) => s.params.events), [['log.entryAdded']], 'browsingContext.load is the engine\'s own subscription');
  handlers.get('browsingContext.load')!({ context: 'another-window', navigation: null, timestamp: 5000, url: 'x' });
  handlers.get('browsingContext.load')!({ context: 'ctx-1', navigation: null, timestamp: 5000, url: 'x' });
  handlers.get('log.entryAdded')!({ type: 'console', method: 'warn', level: 'warn', text: 'hi', timestamp: 7, source: { realm: 'r', context: 'ctx-1' }, args: [{ type: 'string', value: 'hi' }] });
  assert.deepEqual(heard, [
    { method: 'Page.loadEventFired', params: { timestamp: 5 } },
    { method: 'Runtime.consoleAPICalled', params: { type: 'warn', args: [{ type: 'string', value: 'hi' }], executionContextId: 0, timestamp: 7 } },
  ]);
  assert.throws(() => cdp.on('Network.responseReceived', () => {}), /Window\.cdp\.on\('Network\.responseReceived'\).*Page\.loadEventFired.*Window\.bidi\.on/s);
  await assert.rejects(cdp.send('DOM.getDocument', {}), (error: any) => error.code === 'GLUON_CDP_UNTRANSLATED' && /'DOM\.getDocument'.*Firefox.*Window\.bidi\.send/s.test(error.message));
  await assert.rejects(cdp.send('toString', {}), /'toString'/, 'only the table\'s own methods');
});
