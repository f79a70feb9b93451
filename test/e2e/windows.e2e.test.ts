// Several windows in one process: windows of one profile share one browser, each with its own
// IPC; Gluon.broadcast() reaches every open window; shareStore keeps one store between windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Gluon from '../../src/index.js';
import { ENGINE, fixture, sharedBrowser, until, waitFor } from './helpers.js';

/** The windows of the tests after the first share one browser: they look at windows, not at how a browser starts or ends. */
const shared = sharedBrowser();

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test(`two open() calls of one profile give two windows in one browser, each with its own IPC (${ENGINE})`, async () => {
  const dataPath = await mkdtemp(join(tmpdir(), 'gluon-ts-windows-'));
  const open = () => Gluon.open(fixture('app'), { headless: true, dataPath });
  try {
    // Asked at the same time: one browser is started, not two fighting over the profile.
    const [first, second] = await Promise.all([open(), open()]);
    const third = await open();
    const windows = [first, second, third];
    try {
      assert.equal(second.browser.pid, first.browser.pid);
      assert.equal(third.browser.pid, first.browser.pid);
      assert.equal(new Set(windows.map((w) => w.browser.profile)).size, 1);
      await Promise.all(windows.map((w) => w.page.loaded));

      // Each window's page reaches its own backend functions, and the backend its own page.
      windows.forEach((w, i) => (w.ipc.whoAmI = () => `window ${i}`));
      for (const [i, w] of windows.entries()) {
        assert.equal(await w.page.eval('Gluon.ipc.whoAmI()'), `window ${i}`);
        await w.page.eval(`Gluon.ipc.on('name', () => document.title = 'page ${i}')`);
        assert.equal(await w.ipc.send('name'), `page ${i}`);
      }
      // One profile: what one page stores, another reads.
      await first.page.eval(`localStorage.setItem('shared', 'from the first window')`);
      assert.equal(await second.page.eval(`localStorage.getItem('shared')`), 'from the first window');

      // Closing one window leaves the others and their browser running.
      await first.close();
      assert.equal(first.closed, true);
      assert.equal(second.closed, false);
      assert.ok(alive(first.browser.pid));
      assert.equal(await second.page.eval('Gluon.ipc.whoAmI()'), 'window 1');
      assert.equal(await third.ipc.send('name'), 'page 2');
      // And a window opened now joins the same browser, even for another app folder: each
      // window is served from its own folder.
      const fourth = await Gluon.open(fixture('channel'), { headless: true, dataPath });
      windows.push(fourth);
      assert.equal(fourth.browser.pid, first.browser.pid);
      await fourth.page.loaded;
      fourth.ipc.whoAmI = () => 'window 3';
      assert.equal(await fourth.page.eval('Gluon.ipc.whoAmI()'), 'window 3');
      assert.equal(await fourth.page.title(), 'Data channel fixture');
      assert.equal(await second.page.eval('fetch("index.html").then((r) => r.text()).then((t) => t.includes("Fixture app"))'), true);
      assert.equal(await fourth.page.eval('fetch("index.html").then((r) => r.text()).then((t) => t.includes("Data channel fixture"))'), true);

      await second.close();
      await third.close();
      assert.ok(alive(first.browser.pid), 'one window is still open');
      await fourth.close();
      await until(() => !alive(first.browser.pid), 'the browser to exit with its last window');
    } finally {
      await Promise.all(windows.map((w) => w.close()));
    }
  } finally {
    await rm(dataPath, { recursive: true, force: true });
  }
});

test(`Gluon.broadcast() sends an event to every open window and collects the replies (${ENGINE})`, async () => {
  const a = await shared('app');
  const b = await shared('app');
  const c = await shared('app');
  const closed = await shared('app');
  try {
    await closed.close();
    for (const [w, name] of [[a, 'a'], [b, 'b']] as const) {
      await w.page.loaded;
      await w.page.eval(`Gluon.ipc.on('hello', (data) => '${name} got ' + data.n)`);
    }
    await c.page.loaded;
    await c.page.eval(`Gluon.ipc.on('hello', () => { throw new Error('c refuses hello'); })`);

    const results = await Gluon.broadcast('hello', { n: 7 });
    const mine = results.filter((r) => [a, b, c, closed].includes(r.window));
    assert.equal(mine.length, 3, 'the open windows only');
    assert.deepEqual(mine.slice(0, 2).map((r) => r.ok && r.reply), ['a got 7', 'b got 7']);
    const failed = mine[2]!;
    assert.equal(failed.window, c);
    assert.equal(failed.ok, false);
    assert.match(!failed.ok ? failed.error.message : '', /c refuses hello/);
    await assert.rejects(Gluon.broadcast(''), TypeError);
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});

test(`windows opened with shareStore keep one store; others keep their own (${ENGINE})`, async () => {
  const a = await shared('app', { shareStore: true });
  const b = await shared('app', { shareStore: true });
  const own = await shared('app');
  let late: Gluon.Window | undefined;
  try {
    await Promise.all([a.page.loaded, b.page.loaded, own.page.loaded]);
    a.ipc.store.theme = 'dark';
    assert.equal(b.ipc.store.theme, 'dark');
    await waitFor(b, 'Gluon.ipc.store.theme === "dark"');
    // A page's change reaches the other window's backend and page.
    await b.page.eval('Gluon.ipc.store.user = { name: "ada" }');
    await until(() => (a.ipc.store.user as { name?: string } | undefined)?.name === 'ada', "the other window's backend to see the page's change");
    await waitFor(a, 'Gluon.ipc.store.user?.name === "ada"');
    // A window opened later starts with the shared entries, readable by its page's first script.
    late = await shared('app', { shareStore: true });
    await late.page.loaded;
    assert.deepEqual(await late.page.eval('window.early.store'), { theme: 'dark', user: { name: 'ada' } });
    delete a.ipc.store.theme;
    await waitFor(late, '!("theme" in Gluon.ipc.store.toJSON())');
    assert.equal(b.ipc.store.theme, undefined);
    // A window not asked to share saw none of it.
    assert.deepEqual(own.ipc.store.toJSON(), {});
    assert.equal(await own.page.eval('Gluon.ipc.store.user'), undefined);
  } finally {
    await Promise.all([a.close(), b.close(), own.close(), late?.close()]);
  }
});
