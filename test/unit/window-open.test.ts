// open() and the Window it builds, in memory: openWith() (src/window/open.ts) over the real
// neutral Browser and Page with fake delegates (fake-window-engine.ts) instead of a real browser.
// Options and their refusals, serving a local folder, when the app's document loads, the
// navigation policy, reloads and the store snapshot, several windows and broadcast, and the one
// shutdown path with its close reasons.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWith, type OpenDeps } from '../../src/window/open.js';
import { APP_ORIGIN, type OpenOptions } from '../../src/window/options.js';
import { broadcast } from '../../src/window/windows.js';
import { INTERNALS, type Window } from '../../src/window/window.js';
import { fakeFoundBrowser } from './fake-engine.js';
import { fakeBrowser, type FakeBrowser, type FakeWindow } from './fake-window-engine.js';

const appDir = await mkdtemp(join(tmpdir(), 'gluon-ts-window-open-'));
await mkdir(join(appDir, 'ui'));
await writeFile(join(appDir, 'ui', 'index.html'), '<!doctype html><title>app</title><p>hello');

/** Every fake browser of the tests: a test that fails leaves no window open for the next one's broadcast. */
const browsers = new Set<FakeBrowser>();
afterEach(async () => {
  await Promise.all([...browsers].map((browser) => browser.close()));
  browsers.clear();
});

function depsFor(browser: FakeBrowser, env: Partial<Pick<OpenDeps, 'platform' | 'vars'>> = {}): OpenDeps {
  browsers.add(browser);
  return {
    findBrowser: async () => fakeFoundBrowser,
    launchEngine: (found, options) => browser.launch(found, options),
    baseDir: () => appDir,
    platform: env.platform ?? 'linux',
    vars: env.vars ?? { GLUON_HEADLESS: '1' },
  };
}

/** A profile folder of its own for each window group, so no test reuses another's browser. */
const dataPath = () => mkdtemp(join(tmpdir(), 'gluon-ts-window-data-'));

async function openFake(browser: FakeBrowser, url: string, options: OpenOptions = {}): Promise<{ win: Window; engine: FakeWindow }> {
  const win = await openWith(depsFor(browser), url, { dataPath: await dataPath(), ...options });
  return { win, engine: browser.windows.at(-1)! };
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(check(), what);
};

test('a local folder: served under the app origin, the document loads only after the code right after await open()', async () => {
  const browser = fakeBrowser();
  const win = await openWith(depsFor(browser), 'ui', { dataPath: await dataPath() });
  const engine = browser.windows[0];
  // The synchronous continuation: nothing has loaded yet, so what it exposes is there for the page.
  assert.deepEqual(engine.calls.filter((call) => call === 'navigate'), [], 'no navigation before the continuation');
  win.ipc.expose('greet', (name: string) => `hi ${name}`);
  await win.page.loaded;
  assert.equal(engine.document?.url, `${APP_ORIGIN}/`);
  assert.equal(browser.launches[0].startUrl, `${APP_ORIGIN}/`);
  // The bootstrap goes first, before the interception set-up, then the policy, then the page loads.
  assert.deepEqual(engine.calls.slice(0, 4), ['addInitScript', 'serve', 'setNavigationPolicy', 'navigate']);
  const config = JSON.parse(/__GLUON_CONFIG__ = (\{.*?\});\n/.exec(engine.sources[0])![1]);
  assert.deepEqual(config.origins, [APP_ORIGIN]);
  assert.equal(config.waitForHandler, 5000);
  assert.equal(config.dataChannel, false, 'the fake grants no loopback: no data channel');
  const response = await engine.fetch(`${APP_ORIGIN}/`);
  assert.equal(response.status, 200);
  assert.match(Buffer.from(response.body).toString(), /<p>hello/);
  assert.match(response.headers['Content-Security-Policy'] ?? response.headers['content-security-policy'] ?? '', /default-src/);
  assert.equal(await engine.document!.ipc.greet('ada'), 'hi ada');
  assert.equal(win.browser.profile, browser.launches[0].profileDir);
  await win.close();
});

test('options are refused before any browser starts, with the errors apps see', async () => {
  const browser = fakeBrowser();
  await assert.rejects(openWith(depsFor(browser), 42 as unknown as string), { name: 'TypeError', message: 'open(url): url must be a URL or a path, got number' });
  await assert.rejects(openWith(depsFor(browser), 'http://example.org/'), { message: /^Refusing to open http:\/\/example\.org\/: http:\/\/ URLs are blocked by default/ });
  await assert.rejects(openWith(depsFor(browser), 'https://example.org/', { onLoad: 42 as unknown as string }), TypeError);
  await assert.rejects(
    openWith(depsFor(browser, { vars: { DISPLAY: '' } }), 'https://example.org/'),
    { message: /^Cannot open a window: there is no display \(neither DISPLAY nor WAYLAND_DISPLAY is set\)/ },
  );
  await assert.rejects(openWith(depsFor(browser), 'no-such-folder'), { message: /^Cannot open 'no-such-folder': nothing exists at/ });
  assert.equal(browser.launches.length, 0, 'no browser was launched');
  // A display, or another platform, is enough.
  const withDisplay = await openWith(depsFor(browser, { vars: { WAYLAND_DISPLAY: 'wayland-0' } }), 'https://example.org/', { dataPath: await dataPath() });
  assert.equal(browser.launches[0].headless, false);
  await withDisplay.close();
});

test('unsafe options are warned about once each, and honoured', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error & { code?: string }) => {
    if (warning.code === 'GLUON_DANGEROUS_OPTION') warnings.push(warning.message);
  };
  process.on('warning', onWarning);
  try {
    const browser = fakeBrowser();
    const options: OpenOptions = { allowHTTP: true, allowNavigation: true, localCSP: '', loopbackIPC: false };
    const { win } = await openFake(browser, 'http://127.0.0.1:8080/', options);
    const { win: second } = await openFake(browser, 'ui', options);
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    assert.deepEqual(warnings, [
      'Gluon.open: allowHTTP is true: pages loaded over http:// can call your exposed functions. Use https:// where you can.',
      'Gluon.open: allowNavigation is true: the window may navigate to any site (only the opened origin can use IPC).',
      "Gluon.open: localCSP is '': the local app runs with no Content-Security-Policy.",
    ]);
    assert.equal(browser.launches[0].allowHTTP, true);
    const response = await browser.windows[1].fetch(`${APP_ORIGIN}/`);
    assert.equal(response.headers['Content-Security-Policy'], undefined, "localCSP '' sends none");
    await Promise.all([win.close(), second.close()]);
  } finally {
    process.off('warning', onWarning);
  }
});

test('the navigation policy: false, same-origin (the default) and true; the window\'s own navigations let through once', async () => {
  const browser = fakeBrowser();
  const start = 'https://example.org/app/#top';
  const { win: fixed, engine: fixedEngine } = await openFake(browser, start, { allowNavigation: false });
  const { win: same, engine: sameEngine } = await openFake(browser, start);
  const { win: any, engine: anyEngine } = await openFake(browser, start, { allowNavigation: true });
  await Promise.all([fixed.page.loaded, same.page.loaded, any.page.loaded]);

  assert.equal(await fixedEngine.allows('https://example.org/app/#other'), true, 'false: the opened URL, whatever its hash');
  assert.equal(await fixedEngine.allows('https://example.org/app/other'), false);
  assert.equal(await sameEngine.allows('https://example.org/elsewhere'), true, "'same-origin': the opened origin");
  assert.equal(await sameEngine.allows('https://evil.example/'), false);
  assert.equal(await sameEngine.allows('not a url'), false);
  assert.equal(await anyEngine.allows('https://evil.example/'), true, 'true: anywhere');

  // Window.idle navigates to its still picture and back: each let through once, under allowNavigation: false.
  await fixed.idle.sleep();
  const picture = fixedEngine.document!.url;
  assert.notEqual(picture, start);
  assert.equal(await fixedEngine.allows(picture), false, 'the still picture was allowed once only');
  await fixed.idle.wake();
  assert.equal(fixedEngine.document!.url, 'https://example.org/app/#top');
  await Promise.all([fixed.close(), same.close(), any.close()]);
});

test('a reload: a new document resets the link, and gets the store the backend holds', async () => {
  const browser = fakeBrowser();
  const { win, engine } = await openFake(browser, 'https://example.org/', { ipcWait: 1000 });
  await win.page.loaded;
  const first = engine.document!;
  first.ipc.on('slow', () => new Promise(() => {}));
  const pending = win.ipc.send('slow');
  await new Promise((resolve) => setTimeout(resolve, 20));

  win.ipc.store.theme = 'dark';
  win.ipc.store.size = 3;
  await until(() => engine.sources.some((source) => source.includes('size')), 'the store snapshot was updated');
  await until(() => engine.sources.filter((source) => source.startsWith("document.readyState === 'loading'")).length === 1, 'the old snapshot was removed');

  await win.page.reload();
  await assert.rejects(pending, { message: /the page reloaded or navigated before answering/ });
  const second = engine.document!;
  assert.notEqual(second.realm, first.realm);
  assert.deepEqual(Object.fromEntries(second.endpoint.storeEntries()), { theme: 'dark', size: 3 }, 'the new document starts with the store');
  second.ipc.twice = (n: number) => n * 2;
  assert.equal(await win.ipcPage.twice(21), 42, 'the link works with the new document');
  await win.close();
});

test('several windows of one profile share a browser; broadcast reaches every open window; the last one closes the browser', async () => {
  const browser = fakeBrowser();
  const shared = await dataPath();
  const a = await openWith(depsFor(browser), 'https://example.org/a', { dataPath: shared });
  const b = await openWith(depsFor(browser), 'https://example.org/b', { dataPath: shared });
  assert.equal(browser.launches.length, 1, 'the second window opened in the running browser');
  assert.equal(browser.windows.length, 2);
  await Promise.all([a.page.loaded, b.page.loaded]);
  browser.windows[0].document!.ipc.on('ping', () => 'a');
  browser.windows[1].document!.ipc.on('ping', () => 'b');
  const results = await broadcast('ping');
  assert.deepEqual(results.map((result) => result.ok && result.reply), ['a', 'b']);
  assert.equal(results[0].window, a);

  await a.close();
  assert.equal(browser.exited, false, 'the browser stays while a window is open');
  assert.deepEqual((await broadcast('ping')).map((result) => result.ok && result.reply), ['b']);
  await b.close();
  assert.equal(browser.exited, true, 'the last window closed the browser');
  assert.deepEqual(await broadcast('ping'), []);
});

test('close: one shutdown path whoever closes, the reason reaching Window.on("close"), the incognito profile removed', async () => {
  // The app closes.
  const browser = fakeBrowser();
  const { win, engine } = await openFake(browser, 'https://example.org/', { incognito: true });
  const profile = win.browser.profile;
  assert.equal(browser.launches[0].temporaryProfile, true);
  assert.ok(existsSync(profile));
  const reasons: string[] = [];
  win.on('close', ({ reason }) => reasons.push(reason));
  await Promise.all([win.close(), win.close()]);
  await win.close();
  assert.equal(win.closed, true);
  assert.deepEqual(reasons, ['the window was closed by the app']);
  assert.equal(engine.calls.filter((call) => call === 'close').length, 1, 'the engine was closed once');
  assert.equal(existsSync(profile), false, 'close() resolves once the temporary profile is gone');

  // The browser closes (the user, a crash).
  const crashing = fakeBrowser();
  const { win: other, engine: otherEngine } = await openFake(crashing, 'https://example.org/', { incognito: true });
  const otherReasons: string[] = [];
  other.on('close', ({ reason }) => otherReasons.push(reason));
  const pending = other.ipc.send('never answered');
  otherEngine.closeByUser('the browser exited (signal SIGKILL)');
  assert.deepEqual(otherReasons, ['the browser exited (signal SIGKILL)']);
  assert.equal(other.closed, true);
  await assert.rejects(pending, { message: /the browser exited \(signal SIGKILL\)/ });
  await other.close();
  assert.equal(existsSync(other.browser.profile), false, 'the temporary profile is removed then too');
  assert.equal(otherEngine.calls.filter((call) => call === 'close').length, 1, 'one shutdown path');
});

test('a failed open removes the incognito profile and closes what it opened', async () => {
  const failing = fakeBrowser({ failLaunch: 'no such browser' });
  await assert.rejects(openWith(depsFor(failing), 'https://example.org/', { incognito: true }), { message: 'no such browser' });
  assert.equal(existsSync(failing.launches[0].profileDir), false, 'launch failed: the temporary profile is gone');

  const serveFails = fakeBrowser({ failServe: 'interception refused' });
  await assert.rejects(openWith(depsFor(serveFails), 'ui', { incognito: true }), { message: 'interception refused' });
  assert.equal(serveFails.windows[0].closed, true, 'the window was closed');
  assert.equal(existsSync(serveFails.launches[0].profileDir), false, 'and its temporary profile removed');
});

test('shareStore: a window opened later gets the shared store in its first document, before its own scripts', async () => {
  const browser = fakeBrowser();
  const { win: a } = await openFake(browser, 'https://example.org/a', { shareStore: true });
  a.ipc.store.theme = 'dark';
  const { win: b, engine } = await openFake(browser, 'https://example.org/b', { shareStore: true });
  assert.equal(b.ipc.store.theme, 'dark', "the backend's store starts with the group's entries");
  await b.page.loaded;
  assert.deepEqual(Object.fromEntries(engine.document!.endpoint.storeEntries()), { theme: 'dark' }, 'so does the first document');
  await Promise.all([a.close(), b.close()]);
});

test("close-requested: the user's close asks the handlers, preventDefault keeps the window, the app's close is never asked", async () => {
  const { win, engine } = await openFake(fakeBrowser(), 'https://example.org/');
  const settled = () => (win as any)[INTERNALS].engine.closeGuardSettled as Promise<void>;
  assert.equal(engine.closeGuard, false, 'no guard while nobody listens');
  const asked: boolean[] = [];
  const keep = win.on('close-requested', (event) => {
    event.preventDefault();
    asked.push(event.defaultPrevented);
  });
  const watch = win.on('close-requested', (event) => asked.push(event.defaultPrevented));
  await settled();
  assert.equal(engine.closeGuard, true);
  assert.ok(engine.sources.some((source) => source.includes("addEventListener('beforeunload'")), 'the page raises the leave prompt');
  assert.equal(await engine.userCloses(), false);
  assert.deepEqual(asked, [true, true]);
  assert.equal(win.closed, false);

  keep();
  await settled();
  assert.equal(engine.closeGuard, true, 'one handler still listens');
  const reasons: string[] = [];
  win.on('close', ({ reason }) => reasons.push(reason));
  watch();
  await settled();
  assert.equal(engine.closeGuard, false, 'the last handler gone: the guard is off');
  assert.ok(!engine.sources.some((source) => source.includes("addEventListener('beforeunload'")));
  assert.equal(await engine.userCloses(), true);
  assert.deepEqual(asked, [true, true]);
  assert.deepEqual(reasons, ['the window was closed']);

  const other = await openFake(fakeBrowser(), 'https://example.org/');
  let heard = 0;
  other.win.on('close-requested', (event) => {
    heard++;
    event.preventDefault();
  });
  await (other.win as any)[INTERNALS].engine.closeGuardSettled;
  await other.win.close();
  assert.equal(other.win.closed, true);
  assert.equal(heard, 0);
});
