// The neutral Browser and Page (src/engine/browser.ts, page.ts) against the fake engine of
// fake-engine.ts: close lifecycle and reasons, the last-window rule, served origins, the
// navigation policy and its error words, init scripts, listeners, launch failures. No browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from '../../src/engine/page.js';
import { FakeLauncher, launchFake, type FakePageDelegate } from './fake-engine.js';

async function started() {
  const launcher = new FakeLauncher();
  const page = await launchFake(launcher);
  return { launcher, page, browser: launcher.delegate, process: launcher.process, first: launcher.delegate.pages[0]! };
}

const closeReasons = (page: Page) => {
  const reasons: string[] = [];
  page.on('close', ({ reason }) => reasons.push(reason));
  return reasons;
};

test('launch gives the first window, with its own random globals and the engine name and versions', async () => {
  const { page, first, process } = await started();
  assert.equal(page.name, 'chromium');
  assert.equal(page.versions.product, '1.0');
  assert.equal(page.pid, process.pid);
  assert.match(page.pageSendName, /^__gluon_send_[0-9a-f]{12}$/);
  assert.equal(first.globals.send, page.pageSendName);
  assert.equal(first.globals.receive, page.pageReceiveName);
  const other = await page.browser.newPage();
  assert.notEqual(other.pageSendName, page.pageSendName);
  await page.browser.close();
});

test('closing the only window quits the browser: asks it, disconnects, runs afterExit; close() is deferred and shared', async () => {
  const { page, browser, process } = await started();
  const reasons = closeReasons(page);
  const closing = page.close();
  assert.equal(page.closed, false, 'close() starts a microtask later');
  assert.equal(page.close(), closing);
  await closing;
  assert.deepEqual(reasons, ['the window was closed by the app']);
  assert.equal(browser.quits, 1);
  assert.equal(browser.disconnected, 'the window was closed by the app');
  assert.equal(process.hasExited, true);
  assert.equal(browser.afterExits, 1);
  assert.equal(browser.pages[0]!.disposed, 1);
});

test('a browser that ignores the quit request is killed', async () => {
  const { page, browser, process } = await started();
  browser.quitExits = false;
  const alive = setInterval(() => {}, 1000); // the quit waits do not keep Node alive
  await page.close();
  clearInterval(alive);
  assert.equal(process.kills, 1);
  assert.equal(process.hasExited, true);
});

test('of two windows, closing one closes only its window; closing the last quits the browser', async () => {
  const { page, browser, process } = await started();
  const second = await page.browser.newPage({ windowSize: [400, 300] });
  const [first, other] = browser.pages as [FakePageDelegate, FakePageDelegate];
  await page.close();
  assert.equal(first.calls.includes('closeWindow'), true);
  assert.equal(first.disposed, 1);
  assert.equal(browser.quits, 0);
  assert.equal(process.hasExited, false);
  assert.equal(second.closed, false);
  await second.close();
  assert.equal(other.calls.includes('closeWindow'), false);
  assert.equal(browser.quits, 1);
  assert.equal(process.hasExited, true);
});

test('a window the user closed is closed with its reason; the browser keeps running while it has others', async () => {
  const { page, browser, process } = await started();
  const second = await page.browser.newPage();
  const reasons = closeReasons(second);
  browser.pages[1]!.closeByUser();
  browser.pages[1]!.closeByUser();
  assert.deepEqual(reasons, ['the window was closed']);
  assert.equal(second.closed, true);
  assert.equal(browser.pages[1]!.disposed, 1);
  await second.close(); // what the window layer does on 'close': nothing more to do here
  assert.equal(browser.pages[1]!.calls.includes('closeWindow'), true);
  assert.equal(process.hasExited, false);
  assert.deepEqual(reasons, ['the window was closed']);
  await page.close();
});

test('the browser exiting closes every window with its exit code or signal; no new window opens in it', async () => {
  const { page, process } = await started();
  const second = await page.browser.newPage();
  const a = closeReasons(page);
  const b = closeReasons(second);
  process.exit({ code: 3, signal: null });
  await process.exited;
  await Promise.resolve();
  assert.deepEqual(a, ['the browser exited (code 3)']);
  assert.deepEqual(b, ['the browser exited (code 3)']);
  await assert.rejects(page.browser.newPage(), /the browser of this window is closed/);

  const { page: killed, process: p2 } = await started();
  const c = closeReasons(killed);
  p2.exit({ code: null, signal: 'SIGKILL' });
  await p2.exited;
  await Promise.resolve();
  assert.deepEqual(c, ['the browser exited (signal SIGKILL)']);
});

test('the connection closing closes every window with its reason', async () => {
  const { page, browser } = await started();
  const reasons = closeReasons(page);
  browser.disconnect('the browser closed its protocol connection');
  assert.deepEqual(reasons, ['the browser closed its protocol connection']);
});

test('a listener that throws does not stop the others, nor the close', async () => {
  const { page } = await started();
  const heard: string[] = [];
  page.on('close', () => {
    throw new Error('listener bug');
  });
  page.on('close', ({ reason }) => heard.push(reason));
  const off = page.on('close', () => heard.push('removed'));
  off();
  await page.close();
  assert.deepEqual(heard, ['the window was closed by the app']);
});

test('a close() made by a close listener finds the close under way', async () => {
  const { page, browser } = await started();
  let inner: Promise<void> | undefined;
  page.on('close', () => (inner = page.close()));
  const outer = page.close();
  await outer;
  assert.equal(inner, outer);
  assert.equal(browser.quits, 1);
});

test('documents, loads and page messages reach their listeners', async () => {
  const { page, first } = await started();
  const events: string[] = [];
  page.on('document', ({ url, realm }) => events.push(`document ${url} ${realm}`));
  page.on('load', ({ url }) => events.push(`load ${url}`));
  page.onPageMessage((text, from) => events.push(`message ${text} ${from.origin}`));
  await page.navigate('https://app.test/');
  first.sendFromPage('hi');
  assert.deepEqual(events, ['document https://app.test/ realm-1', 'load https://app.test/', 'message hi https://app.test']);
  await page.close();
});

test('served origins: the handler answers its origin, others go through, a throwing handler gives a 500', async () => {
  const { page, first } = await started();
  await page.serve('https://app.test', async (req) => {
    if (req.url.endsWith('/boom')) throw new Error('handler bug');
    return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: Buffer.from(`served ${req.method} ${req.url}`) };
  });
  assert.deepEqual(first.interception, { origins: ['https://app.test'], navigations: false });
  const ok = await first.request('https://app.test/a.txt', { method: 'POST' });
  assert.equal(ok.kind, 'fulfill');
  assert.equal(ok.kind === 'fulfill' && Buffer.from(ok.response.body).toString(), 'served POST https://app.test/a.txt');
  const boom = await first.request('https://app.test/boom');
  assert.equal(boom.kind === 'fulfill' && boom.response.status, 500);
  assert.equal(boom.kind === 'fulfill' && Buffer.from(boom.response.body).toString(), 'Internal error while serving this file');
  assert.deepEqual(await first.request('https://elsewhere.test/x'), { kind: 'continue' });
  await page.close();
});

test('navigation policy: a refused top-level navigation fails with the allowNavigation words; others load', async () => {
  const { page, first } = await started();
  const asked: string[] = [];
  await page.setNavigationPolicy(({ url, topFrame }) => {
    asked.push(`${url} ${topFrame}`);
    return url.startsWith('https://app.test/');
  });
  assert.equal(first.interception.navigations, true);
  await page.navigate('https://app.test/ok');
  await assert.rejects(page.navigate('https://evil.test/'), { message: 'Navigation to https://evil.test/ was blocked by the allowNavigation option' });
  // Subresources and subframes are not the policy's business.
  assert.deepEqual(await first.request('https://evil.test/frame', { navigation: true, topFrame: false }), { kind: 'continue' });
  assert.deepEqual(asked, ['https://app.test/ok true', 'https://evil.test/ true']);
  // A navigation that fails for another reason says why; the block of an earlier one is forgotten.
  await page.serve('https://app.test', async () => {
    throw new Error('no');
  });
  await assert.rejects(page.navigate('https://app.test/ok'), { message: 'Could not load https://app.test/ok: HTTP 500' });
  await page.close();
});

test('a policy that throws answers the navigation with a 500, not an unhandled rejection', async () => {
  const { page, first } = await started();
  await page.setNavigationPolicy(() => {
    throw new Error('policy bug');
  });
  const answer = await first.request('https://app.test/', { navigation: true });
  assert.equal(answer.kind === 'fulfill' && answer.response.status, 500);
  await page.close();
});

test('init scripts run once per document; their removal is a no-op once the window is closed', async () => {
  const { page, first } = await started();
  const remove = await page.addInitScript('window.x = 1;');
  const [script] = [...first.initScripts];
  assert.match(script!, /Symbol\.for\("gluon-ts:init:[0-9a-f]{16}"\)/);
  assert.match(script!, /window\.x = 1;/);
  await remove();
  assert.equal(first.initScripts.size, 0);
  const keep = await page.addInitScript('window.y = 2;');
  await page.close();
  await keep();
  assert.equal(first.initScripts.size, 1, 'nothing is sent for a closed window');
});

test('Browser.close sent raw through the page marks the browser closing (no new window will open in it)', async () => {
  const { page, process } = await started();
  await page.sendCdp('Browser.close', {}, { browser: true });
  assert.equal(page.process.closing, true);
  assert.equal(process.closing, true);
  await page.close();
});

test('closed windows leave no handlers behind: the count after 20 windows equals the count after 200', async () => {
  const { page } = await started();
  const cycle = async (n: number) => {
    for (let i = 0; i < n; i++) await (await page.browser.newPage()).close();
    return page.browser.handlerCount;
  };
  const after20 = await cycle(20);
  const after200 = await cycle(180);
  assert.equal(after200, after20);
  assert.equal(page.browser.windows.length, 1);
  await page.close();
});

test('launch failures: one timeout, one set of words, the process killed', async () => {
  const hanging = new FakeLauncher();
  hanging.connectFails = 'hang';
  await assert.rejects(launchFake(hanging, 50), (error: Error) => {
    assert.match(error.message, /^Could not start Fake Browser \(fake-browser\): it did not answer within 0\.05 s\.\nWhat it printed last:\n\(nothing\)\nTry running it by hand/);
    return true;
  });
  assert.equal(hanging.process.kills, 1);

  const locked = new FakeLauncher();
  locked.connectFails = 'hang';
  locked.process.stderr = 'SingletonLock: File exists';
  await assert.rejects(launchFake(locked, 50), /its profile folder \/fake\/profile is in use by another browser/);

  const exiting = new FakeLauncher();
  exiting.connectFails = 'hang';
  exiting.process.stderr = 'boom';
  setTimeout(() => exiting.process.exit({ code: 1, signal: null }), 5);
  await assert.rejects(launchFake(exiting, 5000), /it exited during start-up \(code 1, signal null\)\.\nWhat it printed last:\nboom\n/);
});
