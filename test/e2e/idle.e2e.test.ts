// Window.idle: sleep and hibernate unload the page behind a still picture of it, wake brings it
// back, freeze stops it in place (Chromium), auto hibernates a minimized window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_ORIGIN } from '../../src/window/open.js';
import { IDLE_ORIGIN } from '../../src/window/idle.js';
import { INTERNALS } from '../../src/window/window.js';
import { ENGINE, sharedBrowser, sleep, until, waitFor } from './helpers.js';

/** These tests look at pages, not at how a browser starts or ends: their windows share one browser. */
const open = sharedBrowser();

/** The width and height of a PNG, from its header. */
const pngSize = (png: Uint8Array) => {
  const bytes = Buffer.from(png);
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
};

for (const kind of ['sleep', 'hibernate'] as const) {
  test(`idle.${kind}() shows a still picture of the page in its place, wake() loads it again (${ENGINE})`, async () => {
    const win = await open('app', { windowSize: [640, 480] });
    const loads: string[] = [];
    win.on('load', ({ url }) => loads.push(url));
    try {
      await win.page.loaded;
      win.ipc.ping = () => 'pong';
      await win.page.eval('window.marker = 42; document.body.style.background = "rgb(0, 128, 0)"');
      const before = await win.page.screenshot();
      const loadsBefore = loads.length;

      await win.idle[kind]();
      assert.equal(win.idle.state, kind === 'sleep' ? 'asleep' : 'hibernating');
      assert.equal(await win.page.eval('location.origin'), IDLE_ORIGIN);
      // The picture: the page as it was, the size of the window, and nothing of the app.
      assert.equal(await win.page.eval('document.title'), 'Fixture app');
      assert.equal(await win.page.eval('typeof window.Gluon + typeof window.marker'), 'undefinedundefined');
      const picture = await win.page.eval<[number, number]>(`(async () => {
        const img = document.querySelector('img');
        await img.decode();
        return [img.naturalWidth, img.naturalHeight];
      })()`);
      assert.deepEqual(picture, pngSize(before));
      // The picture shows the page's green background (a pixel near the bottom-right corner).
      const color = await win.page.eval<number[]>(`(() => {
        const img = document.querySelector('img');
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        return [...context.getImageData(img.naturalWidth - 5, img.naturalHeight - 5, 1, 1).data];
      })()`);
      assert.deepEqual(color.slice(0, 3), [0, 128, 0]);
      assert.equal(loads.length, loadsBefore, 'the picture is not one of the app\'s loads');
      await win.idle[kind](); // twice is fine

      await win.idle.wake();
      assert.equal(win.idle.state, 'awake');
      assert.equal(await win.page.eval('location.origin'), APP_ORIGIN);
      await waitFor(win, 'window.Gluon && document.readyState === "complete"');
      assert.equal(await win.page.eval('window.marker'), undefined, 'the page was loaded again: its state is gone');
      assert.equal(await win.page.eval('Gluon.ipc.ping()'), 'pong');
      await until(() => loads.length > loadsBefore, 'the load event of the woken page');
      assert.ok(loads.at(-1)!.startsWith(APP_ORIGIN));
      await win.idle.wake(); // awake already: nothing to do
    } finally {
      await win.close();
    }
  });
}

test(`idle.freeze() stops the page where it is and wake() lets it run on (${ENGINE})`, async () => {
  const win = await open('app');
  try {
    await win.page.loaded;
    if (ENGINE === 'firefox') {
      await assert.rejects(win.idle.freeze(), /Firefox cannot freeze a page/);
      assert.equal(win.idle.state, 'awake');
      return;
    }
    await win.page.eval('window.marker = 42; window.ticks = []; setInterval(() => ticks.push(Date.now()), 20)');
    await waitFor(win, 'ticks.length > 3');
    await win.idle.freeze();
    assert.equal(win.idle.state, 'frozen');
    const frozenAt = Date.now();
    await sleep(600);
    await win.idle.wake();
    const wokenAt = Date.now();
    assert.equal(win.idle.state, 'awake');
    await waitFor(win, `ticks.at(-1) > ${wokenAt}`);
    // No tick while frozen; the page's state is all there.
    assert.equal(await win.page.eval(`ticks.filter((t) => t > ${frozenAt + 50} && t < ${wokenAt - 50}).length`), 0);
    assert.equal(await win.page.eval('window.marker'), 42);
  } finally {
    await win.close();
  }
});

test(`idle.auto() hibernates a window left minimized and wakes it when it is shown (${ENGINE})`, async () => {
  const win = await open('app');
  try {
    await win.page.loaded;
    win.ipc.ping = () => 'pong';
    assert.throws(() => win.idle.auto(true, { timeMinimizedToHibernate: -1 }), TypeError);
    win.idle.auto(true, { timeMinimizedToHibernate: 1.5 });
    await sleep(700);
    assert.equal(win.idle.state, 'awake', 'a window that is not minimized stays awake');

    // From the moment the browser says the window is minimized (Firefox's minimize() itself
    // resolves only a second or so later).
    const engine = (win as any)[INTERNALS].engine;
    const minimizing = win.controls.minimize();
    await until(async () => (await engine.getWindow()).state === 'minimized', 'the window minimized');
    const minimizedAt = Date.now();
    await until(() => win.idle.state === 'hibernating', 'auto hibernation', 6000);
    assert.ok(Date.now() - minimizedAt >= 1200, `not before the time asked (${Date.now() - minimizedAt} ms)`);
    await minimizing;

    await win.controls.show();
    await until(() => win.idle.state === 'awake', 'auto wake', 5000);
    await waitFor(win, 'window.Gluon && true');
    assert.equal(await win.page.eval('Gluon.ipc.ping()'), 'pong');

    win.idle.auto(false);
    await win.controls.minimize();
    await sleep(1000);
    assert.equal(win.idle.state, 'awake', 'off: nothing happens');
  } finally {
    await win.close();
  }
});
