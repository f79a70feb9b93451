// App identity on a real X display (Xvfb, no window manager needed): the window carries the
// app's name as its class (WM_CLASS), the page's title with nothing appended (_NET_WM_NAME), and
// the app's PNG as its icon (_NET_WM_ICON), read with xprop as a desktop's taskbar reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Gluon from '../../src/index.js';
import { ENGINE, sleep } from './helpers.js';
import { startDisplay, x11Missing, type Display } from './x11.js';
import { pngOf } from '../support/png.js';

const SIZE = 16;
/** The icon: red top-left quarter, blue bottom-left, green right half, opaque (ARGB, as X11 gives it). */
const pixel = (x: number, y: number) => (x < SIZE / 2 ? (y < SIZE / 2 ? 0xffff0000 : 0xff0000ff) : 0xff00ff00);

/** The icon as a PNG. */
const iconPng = (): Buffer => pngOf(SIZE, SIZE, pixel);

/** The icons of _NET_WM_ICON: width, height, then width x height ARGB values, for each. */
function icons(display: Display, window: string): { width: number; height: number; pixels: number[] }[] {
  const text = display.run('xprop', ['-id', window, '-notype', '-f', '_NET_WM_ICON', '32c', ' = $0+', '_NET_WM_ICON']);
  if (!text.includes('=')) return [];
  const values = text.slice(text.indexOf('=') + 1).split(',').map((value) => Number(value.trim()) >>> 0);
  const out = [];
  for (let i = 0; i + 2 <= values.length;) {
    const [width, height] = [values[i]!, values[i + 1]!];
    out.push({ width, height, pixels: values.slice(i + 2, i + 2 + width * height) });
    i += 2 + width * height;
  }
  return out;
}

async function poll<T>(what: string, read: () => T | undefined, timeout = 30_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = read();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (${last})` : ''}`);
    await sleep(200);
  }
}

test(`${ENGINE}: the window is the app's on the desktop: WM_CLASS, the page's own title, the app's icon`, { skip: x11Missing(), timeout: 120_000 }, async () => {
  const display = await startDisplay();
  const work = await mkdtemp(join(tmpdir(), 'gluon-ts-identity-'));
  const before = { DISPLAY: process.env.DISPLAY, GLUON_HEADLESS: process.env.GLUON_HEADLESS };
  let window: Gluon.Window | undefined;
  try {
    await writeFile(join(work, 'icon.png'), iconPng());
    await writeFile(join(work, 'index.html'), '<!doctype html><title>Identity test</title><p>hello</p>');
    process.env.DISPLAY = display.name;
    delete process.env.GLUON_HEADLESS;
    window = await Gluon.open(work, { headless: false, incognito: true, name: 'identity-test-app', icon: join(work, 'icon.png') });

    const id = await poll('the window', () => display.run('xdotool', ['search', '--onlyvisible', '--name', '^Identity test$']).trim().split('\n')[0] || undefined);
    const wmClass = display.run('xprop', ['-id', id, 'WM_CLASS']);
    // The class part (what taskbars group by) on both; Chromium's instance is the start URL's ("<class>,"), Firefox's "Navigator".
    assert.match(wmClass, ENGINE === 'chromium' ? /= "identity-test-app,", "identity-test-app"$/m : /= "Navigator", "identity-test-app"$/m);
    assert.match(display.run('xprop', ['-id', id, '_NET_WM_NAME']), /= "Identity test"$/m, 'the title is the page\'s, nothing appended');

    // The icon: the PNG's size and pixels (Chromium sets it once the favicon loads).
    const icon = await poll('the app\'s icon', () => icons(display, id).find((entry) => entry.width === SIZE && entry.height === SIZE && entry.pixels[0] === pixel(0, 0)));
    for (const [x, y] of [[0, 0], [SIZE - 1, 0], [0, SIZE - 1], [SIZE / 2 - 1, SIZE / 2 - 1], [SIZE - 1, SIZE - 1]] as const) {
      assert.equal(icon.pixels[y * SIZE + x]!.toString(16), pixel(x, y).toString(16), `pixel ${x},${y}`);
    }

    // A title the page sets later is the window's too, still with nothing appended.
    await window.page.eval(`document.title = 'Renamed'`);
    await poll('the new title', () => /= "Renamed"$/m.test(display.run('xprop', ['-id', id, '_NET_WM_NAME'])) || undefined, 10_000);
  } finally {
    await window?.close();
    for (const [key, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await display.stop();
    await rm(work, { recursive: true, force: true });
  }
});
