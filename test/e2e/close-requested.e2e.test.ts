// Window.on('close-requested') (gluon-framework/gluon #33, "minimize instead of close"): the user
// closes a real window under a real window manager (Alt+F4 under openbox, which asks the window to
// close with WM_DELETE_WINDOW as its close button does); a handler that calls preventDefault()
// keeps it (and minimizes it), across the app's own reload and the user's F5; the app's
// Window.close() is never held;
// without preventDefault the user's close closes it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Gluon from '../../src/index.js';
import { INTERNALS } from '../../src/window/window.js';
import { ENGINE, fixture, sleep, until, waitFor } from './helpers.js';
import { startDisplay, x11Missing, type Display } from './x11.js';

const skip = x11Missing(true);

async function openShown(display: Display, title: string): Promise<{ win: Gluon.Window; xid: string }> {
  const win = await Gluon.open(fixture('app', 'index.html'), { headless: false, incognito: true });
  await win.page.loaded;
  await win.page.title(title);
  const xid = await display.windowTitled(title);
  return { win, xid };
}

/** Alt+F4 to the window, as a user closes it (openbox's Close action). */
const userCloses = (display: Display, xid: string) => display.run('xdotool', ['windowactivate', '--sync', xid, 'key', '--clearmodifiers', 'alt+F4']);
/**
 * Alt+F4 until `heard()` (three times at most, 4 s apart): a key sent by XTEST to a window that has
 * just been mapped or shown is now and then lost (a full suite run on Firefox heard nothing after
 * one). A close that is not held closes the window on the first key, so pressing again hides no failure.
 */
async function userClosesUntil(display: Display, xid: string, heard: () => boolean, what: string, win: Gluon.Window): Promise<void> {
  for (let press = 1; ; press++) {
    userCloses(display, xid);
    try {
      await until(() => heard() || win.closed, what, press < 3 ? 4000 : 10_000);
      return;
    } catch (error) {
      if (press >= 3) throw error;
    }
  }
}
const settled = (win: Gluon.Window) => (win as any)[INTERNALS].engine.closeGuardSettled as Promise<void>;
const hidden = (display: Display, xid: string) => display.run('xprop', ['-id', xid, '_NET_WM_STATE']).includes('_NET_WM_STATE_HIDDEN');

test(`the user's close asks 'close-requested' first (${ENGINE})`, { skip, timeout: 120_000 }, async () => {
  const display = await startDisplay({ windowManager: true });
  const before = { DISPLAY: process.env.DISPLAY, GLUON_HEADLESS: process.env.GLUON_HEADLESS };
  process.env.DISPLAY = display.name;
  delete process.env.GLUON_HEADLESS;
  const windows: Gluon.Window[] = [];
  try {
    // preventDefault keeps the window, minimized instead.
    const { win, xid } = await openShown(display, 'close-requested-kept');
    windows.push(win);
    // The browser's first window gives the keyboard focus to its page, not to its hidden address
    // bar (where Firefox puts it when it starts on about:blank).
    await waitFor(win, 'document.hasFocus()', 10_000);
    let asked = 0;
    let minimized = Promise.resolve();
    win.on('close-requested', (event) => {
      asked++;
      event.preventDefault();
      minimized = win.controls.minimize();
    });
    await settled(win);
    await userClosesUntil(display, xid, () => asked === 1, 'close-requested', win);
    assert.equal(win.closed, false, 'the window is kept');
    await minimized;
    await until(() => hidden(display, xid), 'the window minimized', 10_000);
    await sleep(500);
    assert.equal(win.closed, false);
    assert.equal(await win.page.eval('1 + 1'), 2);

    // The app's reload is not a close; the new document is guarded too.
    await win.page.eval('window.marker = 1');
    await win.page.reload();
    await waitFor(win, `document.readyState === 'complete' && window.marker === undefined`, 10_000);
    assert.equal(asked, 1);
    // Nor is the user's reload key.
    await win.controls.show();
    await until(() => !hidden(display, xid), 'the window shown again', 10_000);
    // The key must reach the page, not the minimized window's ghost. A window shown again under a
    // loaded machine now and then ends up active in X while its page has no focus yet (Firefox, which
    // reports the real focus): activated again then, as a user clicks it, up to three times.
    for (let attempt = 1; ; attempt++) {
      display.run('xdotool', ['windowactivate', '--sync', xid]);
      await win.controls.focus();
      try {
        await waitFor(win, 'document.hasFocus()', 5000);
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    await win.page.eval('window.marker = 2');
    // A key sent by XTEST right after the window came back is now and then lost on Chromium (1 run
    // in 6, close-requested not heard): pressed again then, up to three times.
    for (let press = 1; ; press++) {
      display.run('xdotool', ['key', '--clearmodifiers', 'F5']);
      try {
        await waitFor(win, `document.readyState === 'complete' && window.marker === undefined`, 4000);
        break;
      } catch (error) {
        if (press === 3) throw new Error(`${(error as Error).message} (F5 pressed 3 times; close-requested heard ${asked} times)`);
      }
    }
    assert.equal(asked, 1);
    await userClosesUntil(display, xid, () => asked === 2, 'close-requested after the reload', win);
    assert.equal(win.closed, false, 'the window is kept');
    await minimized;
    await until(() => hidden(display, xid), 'the window minimized again', 10_000);
    assert.equal(win.closed, false);

    // The app's own close is never held.
    const closing = Date.now();
    await win.close();
    assert.equal(win.closed, true);
    assert.equal(asked, 2);
    assert.ok(Date.now() - closing < 15_000);

    // No preventDefault: the user's close closes the window.
    const second = await openShown(display, 'close-requested-closes');
    windows.push(second.win);
    let heard = 0;
    second.win.on('close-requested', (event) => {
      heard++;
      assert.equal(event.defaultPrevented, false);
    });
    const closed = new Promise<string>((resolve) => second.win.on('close', ({ reason }) => resolve(reason)));
    await settled(second.win);
    await userClosesUntil(display, second.xid, () => second.win.closed, 'the window closed by the user', second.win);
    assert.match(await closed, /the window was closed|the browser exited|closed its protocol connection/);
    assert.equal(heard, 1);
  } finally {
    for (const win of windows) await win.close();
    await display.stop();
    for (const [key, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});
