// Window.controls: minimize, maximize, show(bounds), seen by the browser and by the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INTERNALS } from '../../src/window/window.js';
import { ENGINE, openFixture, waitFor } from './helpers.js';

test(`controls minimize, maximize and show(bounds) move the OS window (${ENGINE})`, async () => {
  const win = await openFixture('app', { windowSize: [640, 480] });
  try {
    await win.page.loaded;
    const engine = (win as any)[INTERNALS].engine;
    const state = async () => (await engine.getWindow()).state;
    assert.equal(await state(), 'normal');

    await win.controls.minimize();
    assert.equal(await state(), 'minimized');
    await waitFor(win, 'document.visibilityState === "hidden"');

    await win.controls.show();
    assert.equal(await state(), 'normal');
    await waitFor(win, 'document.visibilityState === "visible"');

    await win.controls.maximize();
    assert.equal(await state(), 'maximized');
    await waitFor(win, 'outerWidth > 640 && outerHeight > 480');

    await win.controls.show({ left: 40, top: 30, width: 700, height: 500 });
    assert.deepEqual(await engine.getWindow(), { state: 'normal', left: 40, top: 30, width: 700, height: 500 });
    await waitFor(win, 'outerWidth === 700 && outerHeight === 500 && screenX === 40 && screenY === 30');

    await win.controls.show({ width: 600 });
    assert.equal((await engine.getWindow()).width, 600, 'part of the bounds: the rest stays');
    assert.equal((await engine.getWindow()).height, 500);

    await assert.rejects(win.controls.show({ width: 1.5 }), /whole number/);
    await assert.rejects(win.controls.show(null as any), TypeError);
  } finally {
    await win.close();
  }
});

test(`window events, bounds() and setBounds() headless too (${ENGINE})`, async () => {
  const win = await openFixture('app', { windowSize: [640, 480] });
  try {
    await win.page.loaded;
    const heard: string[] = [];
    for (const event of ['move', 'resize', 'minimize', 'restore'] as const) win.on(event, (info) => heard.push(`${event} ${info.state} ${info.width}`));
    await new Promise((resolve) => setTimeout(resolve, 400)); // the first read: what later ones are compared with
    await win.controls.setBounds({ left: 20, top: 30, width: 600, height: 400 });
    assert.deepEqual(await win.controls.bounds(), { state: 'normal', left: 20, top: 30, width: 600, height: 400 });
    const wait = async (what: string) => {
      for (let i = 0; i < 40 && !heard.includes(what); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(heard.includes(what), `'${what}' heard: ${JSON.stringify(heard)}`);
    };
    await wait('resize normal 600');
    await wait('move normal 600');
    await win.controls.minimize();
    await wait('minimize minimized 600');
    await win.controls.show();
    await wait('restore normal 600');
  } finally {
    await win.close();
  }
});
