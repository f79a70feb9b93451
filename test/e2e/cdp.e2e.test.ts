// Window.cdp: CDP commands and events, called the way Gluon apps call them. Chromium passes them
// through; Firefox translates them to WebDriver BiDi (src/engine/firefox/cdp-on-bidi.ts), so
// every check here is the same on both engines. Window.bidi: raw BiDi, Firefox only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { ENGINE, openFixture, sharedBrowser, sleep, until, waitFor } from './helpers.js';

/** Their windows share one browser (but the test that closes its browser): these tests look at pages, not at how a browser starts or ends. */
const open = sharedBrowser();

const textOf = (message: any): string => String(message.params?.args?.[0]?.value);

/** A PDF's first page size in points, from its text and its deflated streams (Firefox's pages sit in object streams). */
function pdfPageSize(pdf: Buffer): [number, number] | undefined {
  const raw = pdf.toString('latin1');
  let text = raw;
  for (const match of raw.matchAll(/stream\r?\n/g)) {
    const start = match.index + match[0].length;
    try {
      text += inflateSync(pdf.subarray(start, raw.indexOf('endstream', start))).toString('latin1');
    } catch {
      // not deflated
    }
  }
  const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(text);
  return box ? [Number(box[1]), Number(box[2])] : undefined;
}

/** Width and height from a PNG's IHDR chunk (throws if `bytes` is not a PNG). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test(`cdp.on hooks CDP events; once and unhook work; a throwing handler is reported, not fatal (${ENGINE})`, async () => {
  const win = await open('app');
  try {
    await win.page.loaded;
    const marked = (list: any[]) => list.map(textOf).filter((text) => text.startsWith('mark '));
    const all: any[] = [];
    const first: any[] = [];
    const unhook = win.cdp.on('Runtime.consoleAPICalled', (message) => all.push(message));
    win.cdp.on('Runtime.consoleAPICalled', (message) => first.push(message), true);
    await sleep(100); // Firefox: the BiDi subscription behind it is on its way
    await win.page.eval('console.log("mark one"); console.log("mark two")');
    await until(() => marked(all).length >= 2, 'two console events');
    assert.deepEqual(marked(all), ['mark one', 'mark two']);
    assert.equal(all[0].method, 'Runtime.consoleAPICalled');
    assert.equal(all[0].params.type, 'log');
    assert.deepEqual(marked(first), ['mark one'], 'once: the first event only');

    unhook();
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    const unhookThrowing = win.cdp.on('Runtime.consoleAPICalled', () => {
      throw new Error('handler bug');
    });
    await win.page.eval('console.log("mark three")');
    const warning = await warned;
    assert.match(warning.message, /cdp\.on\('.+'\) handler threw: Error: handler bug/);
    await sleep(200);
    assert.deepEqual(marked(all), ['mark one', 'mark two'], 'an unhooked handler hears nothing more');
    unhookThrowing();
    win.ipc.ping = () => 'pong';
    assert.equal(await win.page.eval('Gluon.ipc.ping()'), 'pong', 'the window still works');
    assert.throws(() => win.cdp.on(42 as any, () => {}), TypeError);

    // Page.loadEventFired after a reload.
    const loads: any[] = [];
    win.cdp.on('Page.loadEventFired', (message) => loads.push(message), true);
    await win.cdp.send('Page.reload', {});
    await until(() => loads.length === 1, 'Page.loadEventFired');
    assert.equal(loads[0].method, 'Page.loadEventFired');
    assert.equal(typeof loads[0].params.timestamp, 'number');
  } finally {
    await win.close();
  }
});

test(`cdp.send('Runtime.evaluate') answers in CDP's shape: values, returnByValue, awaitPromise, exceptions (${ENGINE})`, async () => {
  const win = await open('cdp');
  try {
    await win.page.loaded;
    const evaluate = (expression: string, more: object = {}) => win.cdp.send('Runtime.evaluate', { expression, ...more });
    assert.deepEqual(await evaluate('6 * 7'), { result: { type: 'number', value: 42, description: '42' } });
    assert.deepEqual(await evaluate('"text"'), { result: { type: 'string', value: 'text' } });
    assert.deepEqual(await evaluate('undefined'), { result: { type: 'undefined' } });
    assert.deepEqual(await evaluate('null'), { result: { type: 'object', subtype: 'null', value: null } });
    assert.deepEqual(await evaluate('NaN'), { result: { type: 'number', unserializableValue: 'NaN', description: 'NaN' } });
    assert.deepEqual(await evaluate('10n'), { result: { type: 'bigint', unserializableValue: '10n', description: '10n' } });
    assert.deepEqual(await evaluate('({ a: 1, list: [1, "x", { b: true }], skip: undefined })', { returnByValue: true }), {
      result: { type: 'object', value: { a: 1, list: [1, 'x', { b: true }] } },
    });
    const byReference = await evaluate('[1, 2, 3]');
    assert.equal(byReference.result.type, 'object');
    assert.equal(byReference.result.subtype, 'array');
    assert.equal(byReference.result.className, 'Array');
    assert.equal(byReference.result.description, 'Array(3)');
    assert.equal(byReference.result.value, undefined, 'an object without returnByValue has no value');
    assert.deepEqual(await evaluate('new Promise((r) => setTimeout(() => r({ late: 1 }), 20))', { awaitPromise: true, returnByValue: true }), {
      result: { type: 'object', value: { late: 1 } },
    });
    assert.equal((await evaluate('Promise.resolve(1)')).result.subtype, 'promise', 'without awaitPromise: the promise itself');

    const thrown = await evaluate('throw new TypeError("boom")');
    assert.equal(thrown.result.className, 'TypeError');
    assert.match(thrown.result.description, /^TypeError: boom/);
    assert.equal(thrown.exceptionDetails.text, 'Uncaught');
    assert.equal(typeof thrown.exceptionDetails.exceptionId, 'number');
    assert.equal(thrown.exceptionDetails.exception.className, 'TypeError');
    assert.match(thrown.exceptionDetails.exception.description, /^TypeError: boom/);
    // How Gluon's own page.eval turns that into an error: the class, and the description after "Name:".
    assert.equal(thrown.result.description.split(':').slice(1).join(':').trim().split('\n')[0], 'boom');
    const rejected = await evaluate('Promise.reject(new RangeError("nope"))', { awaitPromise: true });
    assert.equal(rejected.exceptionDetails.exception.className, 'RangeError');
    assert.match(rejected.result.description, /^RangeError: nope/);
    const thrownValue = await evaluate('throw 42');
    assert.deepEqual(thrownValue.result, { type: 'number', value: 42, description: '42' });
    assert.deepEqual(thrownValue.exceptionDetails.exception, { type: 'number', value: 42, description: '42' });
  } finally {
    await win.close();
  }
});

test(`cdp.send: init scripts (added, then removed), Page.reload, Page.navigate under the navigation policy (${ENGINE})`, async () => {
  const win = await open('cdp', { allowNavigation: 'same-origin' });
  try {
    await win.page.loaded;
    const { identifier } = await win.cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: 'window.initRuns = (window.initRuns ?? 0) + 1; // a comment on the last line' });
    assert.equal(typeof identifier, 'string');
    assert.equal(await win.page.eval('window.initRuns'), undefined, 'not in the document already there');

    await win.page.eval('window.beforeReload = true');
    assert.deepEqual(await win.cdp.send('Page.reload', { ignoreCache: true }), {});
    await waitFor(win, 'document.readyState === "complete" && !window.beforeReload');
    assert.equal(await win.page.eval('window.initRuns'), 1, 'the init script ran once in the next document');

    assert.deepEqual(await win.cdp.send('Page.removeScriptToEvaluateOnNewDocument', { identifier }), {});
    const url = await win.page.eval<string>('location.href');
    const next = `${url.split('?')[0]}?second`;
    const navigated = await win.cdp.send('Page.navigate', { url: next });
    assert.equal(typeof navigated.frameId, 'string');
    assert.equal(navigated.errorText, undefined);
    await waitFor(win, 'document.readyState === "complete" && location.search === "?second"');
    assert.equal(await win.page.eval('window.initRuns'), undefined, 'removed: the init script no longer runs');

    // The window's navigation policy still decides: another site is refused, as an errorText.
    const refused = await win.cdp.send('Page.navigate', { url: 'https://example.invalid/' });
    assert.equal(refused.errorText, 'net::ERR_ABORTED');
    await sleep(300);
    assert.equal(await win.page.eval('location.search'), '?second', 'still on the app');
  } finally {
    await win.close();
  }
});

test(`cdp.send: Page.captureScreenshot (png, size, clip, jpeg) and Page.printToPDF (${ENGINE})`, async () => {
  const win = await open('cdp');
  try {
    await win.page.loaded;
    const [width, height, ratio] = await win.page.eval<number[]>('[innerWidth, innerHeight, devicePixelRatio]');
    const shot = await win.cdp.send('Page.captureScreenshot', { format: 'png' });
    assert.deepEqual(pngSize(Buffer.from(shot.data, 'base64')), { width: Math.round(width! * ratio!), height: Math.round(height! * ratio!) });
    const clipped = await win.cdp.send('Page.captureScreenshot', { clip: { x: 10, y: 10, width: 100, height: 50, scale: 1 } });
    assert.deepEqual(pngSize(Buffer.from(clipped.data, 'base64')), { width: Math.round(100 * ratio!), height: Math.round(50 * ratio!) });
    const jpeg = Buffer.from((await win.cdp.send('Page.captureScreenshot', { format: 'jpeg', quality: 50 })).data, 'base64');
    assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');

    const pdf = Buffer.from((await win.cdp.send('Page.printToPDF', {
      landscape: true, printBackground: true, scale: 0.9, paperWidth: 8.27, paperHeight: 11.69, marginTop: 0.5, marginBottom: 0.5, marginLeft: 0.5, marginRight: 0.5, pageRanges: '1',
    })).data, 'base64');
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    // A4 landscape: 842 x 595 points.
    const size = pdfPageSize(pdf);
    assert.ok(size, 'the PDF names its page size');
    assert.ok(Math.abs(size[0] - 842) < 3 && Math.abs(size[1] - 595) < 3, `A4 landscape, got ${size.join(' x ')}`);
  } finally {
    await win.close();
  }
});

test(`cdp.send: Browser.getVersion, Emulation.setUserAgentOverride, Input.dispatchKeyEvent / dispatchMouseEvent (${ENGINE})`, async () => {
  const win = await open('cdp');
  try {
    await win.page.loaded;
    const version = await win.cdp.send('Browser.getVersion', {}, false);
    assert.deepEqual(Object.keys(version).sort(), ['jsVersion', 'product', 'protocolVersion', 'revision', 'userAgent']);
    assert.equal(version.protocolVersion, '1.3');
    assert.match(version.product, ENGINE === 'chromium' ? /^(Headless)?Chrome\/\d+\./ : /^Firefox\/\d+\./);
    // Gluon reads the browser's version as product.split('/')[1].
    assert.equal(version.product.split('/')[1], win.versions.product.version);
    assert.match(version.userAgent, /^Mozilla\/5\.0 /);
    assert.equal(typeof version.revision, 'string');
    assert.match(version.jsVersion, /^\d+\./);

    await win.cdp.send('Emulation.setUserAgentOverride', { userAgent: 'GluonTest/1.0 (compatible)' });
    assert.equal(await win.page.eval('navigator.userAgent'), 'GluonTest/1.0 (compatible)');

    // Keys: a letter and Enter, reaching the page's listeners.
    for (const [key, code, keyCode, text] of [['a', 'KeyA', 65, 'a'], ['Enter', 'Enter', 13, '\r']] as const) {
      await win.cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key, code, windowsVirtualKeyCode: keyCode, text });
      await win.cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key, code, windowsVirtualKeyCode: keyCode });
    }
    await waitFor(win, 'keysSeen.length >= 4');
    assert.deepEqual(await win.page.eval('keysSeen.map((k) => `${k.type} ${k.key}`)'), ['keydown a', 'keyup a', 'keydown Enter', 'keyup Enter']);

    // A left click, as a press and a release.
    await win.cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: 50, y: 30 });
    await win.cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', x: 50, y: 30, button: 'left', clickCount: 1 });
    await win.cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x: 50, y: 30, button: 'left', clickCount: 1 });
    await waitFor(win, 'clicksSeen.length >= 1');
    assert.deepEqual(await win.page.eval('clicksSeen'), [{ x: 50, y: 30, button: 0, target: 'target' }]);
  } finally {
    await win.close();
  }
});

test(`cdp.send('Browser.close') closes the browser, and the window says 'close' (${ENGINE})`, async () => {
  const win = await openFixture('cdp');
  const closed = new Promise<string>((resolve) => win.on('close', ({ reason }) => resolve(reason)));
  try {
    await win.page.loaded;
    const { pid } = win.browser;
    await win.cdp.send('Browser.close', {}, false);
    assert.match(await closed, /closed|exited/);
    assert.equal(win.closed, true);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await until(() => !alive(), 'the browser process to exit', 15_000);
  } finally {
    await win.close();
  }
});

test(`a CDP method with no translation, and the raw BiDi route (${ENGINE})`, async () => {
  const win = await open('app');
  try {
    await win.page.loaded;
    if (ENGINE === 'chromium') {
      // Everything goes to Chromium as it is; it names what it does not know.
      await assert.rejects(win.cdp.send('Nope.notAMethod', {}), /Nope\.notAMethod/);
      await assert.rejects(win.bidi.send('browsingContext.getTree', {}), /Window\.bidi .*Firefox.*this window runs on chromium: use Window\.cdp/);
      assert.throws(() => win.bidi.on('log.entryAdded', () => {}), /Firefox/);
      return;
    }
    await assert.rejects(win.cdp.send('Network.enable', {}), (error: any) => {
      assert.match(error.message, /^Window\.cdp\.send\('Network\.enable'\): Firefox has no CDP.*Runtime\.evaluate.*Window\.bidi\.send\(method, params\)/s);
      assert.equal(error.code, 'GLUON_CDP_UNTRANSLATED');
      return true;
    });
    assert.throws(() => win.cdp.on('Network.requestWillBeSent', () => {}), /Window\.cdp\.on\('Network\.requestWillBeSent'\).*Window\.bidi\.on/s);

    // Raw BiDi: commands and the events the session subscribes to.
    const { contexts } = await win.bidi.send('browsingContext.getTree', {});
    assert.match(await win.page.eval('location.href'), new RegExp(`^${contexts[0].url.split('/').slice(0, 3).join('/')}`));
    await win.bidi.send('session.subscribe', { events: ['log.entryAdded'] });
    const entries: any[] = [];
    const unhook = win.bidi.on('log.entryAdded', (message) => entries.push(message));
    await win.page.eval('console.log("raw bidi")');
    await until(() => entries.some((m) => m.params.text === 'raw bidi'), 'the log entry over BiDi');
    assert.equal(entries[0].type, 'event');
    assert.equal(entries[0].method, 'log.entryAdded');
    unhook();
  } finally {
    await win.close();
  }
});
