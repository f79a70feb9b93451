// The window events' rules (src/window/bounds.ts: which events a change of the OS window gives,
// reads only while someone listens, coalesced) and the remembered window state's
// (src/window/window-state.ts: file name, parsing, keeping on screen, atomic writes, one warning
// for a bad file, what is saved as the window changes and on close). No browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createWindowWatcher, windowChanges, type WindowBoundsInfo, type WindowReader, type WindowSnapshot } from '../../src/window/bounds.js';
import {
  checkWindowStateKey, keepOnScreen, keepWindowState, parseWindowState, readWindowState, SAVE_DELAY, windowStateFile, writeWindowState, type StateWindow,
} from '../../src/window/window-state.js';
import { resolveOpenOptions } from '../../src/window/options.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const normal = (o: Partial<WindowSnapshot> = {}): WindowSnapshot => ({ state: 'normal', left: 10, top: 20, width: 800, height: 600, ...o });

test('windowChanges: a change of the OS window as the events a user would name', () => {
  assert.deepEqual(windowChanges(normal(), normal()), []);
  assert.deepEqual(windowChanges(normal(), normal({ left: 11 })), ['move']);
  assert.deepEqual(windowChanges(normal(), normal({ height: 1 })), ['resize']);
  assert.deepEqual(windowChanges(normal(), normal({ top: 0, width: 1 })), ['move', 'resize']);
  assert.deepEqual(windowChanges(normal(), normal({ state: 'minimized', left: -32000 })), ['minimize'], 'no move while minimized');
  assert.deepEqual(windowChanges(normal({ state: 'minimized' }), normal()), ['restore']);
  assert.deepEqual(windowChanges(normal(), normal({ state: 'maximized', left: 0, top: 0, width: 1280, height: 800 })), ['maximize', 'move', 'resize']);
  assert.deepEqual(windowChanges(normal({ state: 'maximized' }), normal()), ['restore']);
  assert.deepEqual(windowChanges(normal({ state: 'minimized' }), normal({ state: 'maximized' })), ['restore', 'maximize']);
  assert.deepEqual(windowChanges(normal({ state: 'fullscreen' }), normal()), ['restore']);
  assert.deepEqual(windowChanges(normal({ focused: true }), normal({ focused: false })), ['blur']);
  assert.deepEqual(windowChanges(normal({ focused: false }), normal({ focused: true })), ['focus']);
  assert.deepEqual(windowChanges(normal({ focused: true }), normal()), [], 'a focus not known is no event');
});

/** A window whose bounds the test sets, counting the reads. */
function fakeReader(focused?: boolean) {
  const reader = {
    info: normal() as WindowSnapshot,
    focused,
    reads: 0,
    focusReads: 0,
    closed: false,
    async getWindow() {
      reader.reads++;
      const { focused: _f, ...info } = reader.info;
      return info;
    },
    async windowFocused() {
      reader.focusReads++;
      return reader.focused;
    },
  };
  return reader satisfies WindowReader;
}

test('the watcher reads only while someone listens, and a drag gives few events, the last with the final bounds', async () => {
  const reader = fakeReader();
  const watcher = createWindowWatcher(reader, 40);
  await sleep(100);
  assert.equal(reader.reads, 0, 'nobody listens: no reads');
  const moves: WindowBoundsInfo[] = [];
  const off = watcher.on('move', (info) => moves.push(info));
  await sleep(60); // the baseline
  // 50 moves in ~250 ms (longer on a loaded machine), as a drag: at most one event per read.
  const dragStart = Date.now();
  for (let i = 1; i <= 50; i++) {
    reader.info = normal({ left: 10 + i });
    await sleep(5);
  }
  const dragMs = Date.now() - dragStart;
  await sleep(150);
  assert.ok(moves.length >= 1 && moves.length <= Math.min(25, dragMs / 40 + 2), `coalesced: ${moves.length} events for 50 moves in ${dragMs} ms`);
  assert.deepEqual(moves.at(-1), { state: 'normal', left: 60, top: 20, width: 800, height: 600 });
  assert.equal(reader.focusReads, 0, 'the focus is read only for focus/blur listeners');
  off();
  const reads = reader.reads;
  reader.info = normal({ left: 500 });
  await sleep(150);
  assert.equal(reader.reads, reads, 'the last listener gone: the reads stop');
  // Listening again starts from a new baseline: what changed meanwhile is no event.
  watcher.on('move', (info) => moves.push(info));
  await sleep(150);
  assert.equal(moves.at(-1)!.left, 60);
  watcher.stop();
});

test('the watcher: focus and blur where the engine tells, a throwing handler is warned about, stop() ends it', async () => {
  const reader = fakeReader(true);
  const watcher = createWindowWatcher(reader, 20);
  const seen: string[] = [];
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }) => w.code === 'GLUON_WINDOW_HANDLER' && warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    watcher.on('blur', () => seen.push('blur'));
    watcher.on('focus', () => {
      seen.push('focus');
      throw new Error('app bug');
    });
    watcher.on('minimize', (info) => seen.push(`minimize ${info.state}`));
    await sleep(50);
    reader.focused = false;
    await sleep(60);
    reader.focused = true;
    await sleep(60);
    reader.info = normal({ state: 'minimized' });
    await sleep(60);
    assert.deepEqual(seen, ['blur', 'focus', 'minimize minimized']);
    await sleep(10);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /Window\.on\('focus'\) handler threw: Error: app bug/);
    watcher.stop();
    const reads = reader.reads;
    reader.info = normal();
    await sleep(80);
    assert.equal(reader.reads, reads, 'stopped: no more reads');
  } finally {
    process.off('warning', onWarning);
  }
});

test('windowState keys: checked, and a readable file name', async () => {
  assert.equal(checkWindowStateKey(undefined), undefined);
  assert.equal(checkWindowStateKey('main'), 'main');
  for (const bad of ['', 7, {}, 'x'.repeat(201)]) assert.throws(() => checkWindowStateKey(bad), /windowState must be a name/);
  await assert.rejects(resolveOpenOptions('https://example.com', { windowState: '' }, { baseDir: () => '.', platform: 'linux', vars: { GLUON_HEADLESS: '1' } }), /windowState must be a name/);
  assert.equal(windowStateFile('/data/app', 'main'), join('/data/app', 'window-state', 'main.json'));
  const odd = windowStateFile('/data/app', '../settings window');
  assert.match(odd, /window-state[/\\]-settings-window-[0-9a-f]{8}\.json$/);
  assert.notEqual(windowStateFile('/d', 'a b'), windowStateFile('/d', 'a/b'), 'two keys never share a file');
});

test('parseWindowState: a state, or why not', () => {
  assert.deepEqual(parseWindowState('{"left":-100,"top":20,"width":800,"height":600,"maximized":true}'), { left: -100, top: 20, width: 800, height: 600, maximized: true });
  assert.deepEqual(parseWindowState('{"left":0,"top":0,"width":800,"height":600}'), { left: 0, top: 0, width: 800, height: 600, maximized: false });
  const why = (text: string) => (parseWindowState(text) as { invalid: string }).invalid;
  assert.match(why('{"left": 1,'), /not JSON/);
  assert.match(why('[1,2]'), /not a JSON object/);
  assert.match(why('null'), /not a JSON object/);
  assert.match(why('{"left":"1","top":0,"width":800,"height":600}'), /left is not a whole number/);
  assert.match(why('{"left":0.5,"top":0,"width":800,"height":600}'), /left/);
  assert.match(why('{"left":0,"top":0,"width":10,"height":600}'), /width is not a whole number of pixels from 50/);
  assert.match(why('{"left":0,"top":0,"width":800,"height":1e9}'), /height/);
  assert.match(why('{"left":0,"top":1e12,"width":800,"height":600}'), /top/);
  assert.match(why('{"left":0,"top":0,"width":800,"height":600,"maximized":"yes"}'), /maximized/);
});

test('keepOnScreen: a window left on a screen that is gone comes back onto this one', () => {
  const screen = { left: 0, top: 0, width: 1280, height: 800 };
  const s = (left: number, top: number, width = 800, height = 600) => ({ left, top, width, height, maximized: false });
  const on = s(100, 50);
  assert.equal(keepOnScreen(on, screen), on, 'on screen: untouched');
  assert.equal(keepOnScreen(s(1000, 50), screen).left, 1000, 'partly off to the right but its corner visible: stays');
  assert.deepEqual(keepOnScreen(s(2000, 50), screen), s(480, 50), 'on a screen to the right that is gone');
  assert.deepEqual(keepOnScreen(s(-900, 50), screen), s(0, 50), 'on a screen to the left that is gone');
  assert.deepEqual(keepOnScreen(s(100, -40), screen), s(100, 0), 'its title bar above the screen');
  assert.deepEqual(keepOnScreen(s(100, 780), screen), s(100, 200), 'only a sliver at the bottom');
  assert.deepEqual(keepOnScreen(s(0, 0, 3000, 2000), screen), s(0, 0, 1280, 800), 'larger than the screen');
  assert.deepEqual(keepOnScreen(s(1400, 50), { left: 1280, top: 0, width: 1920, height: 1080 }), s(1400, 50), 'a screen right of the first');
  assert.equal(keepOnScreen({ ...s(5000, 5000), maximized: true }, screen).maximized, true);
});

test('the state file: written atomically, read back, and a bad one ignored with one warning', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gluon-state-unit-'));
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }) => w.code === 'GLUON_WINDOW_STATE' && warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    const file = windowStateFile(dir, 'main');
    assert.equal(await readWindowState(file), undefined, 'none yet: no warning');
    const state = { left: 1, top: 2, width: 300, height: 200, maximized: false };
    await Promise.all([writeWindowState(file, state), writeWindowState(file, { ...state, left: 5 })]);
    assert.ok([1, 5].includes((await readWindowState(file))!.left), 'two writes at once: one whole file');
    assert.deepEqual(await readdir(dirname(file)), ['main.json'], 'no temporary file left');
    await writeFile(file, '{"left": 1, "top": 2, "width": "wide"');
    assert.equal(await readWindowState(file), undefined);
    await mkdir(join(dir, 'window-state', 'dir.json'));
    assert.equal(await readWindowState(join(dir, 'window-state', 'dir.json')), undefined, 'a folder in its place');
    await sleep(10);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /main\.json was ignored because it is not JSON/);
    assert.match(warnings[1]!, /dir\.json was ignored because it cannot be read/);
  } finally {
    process.off('warning', onWarning);
    await rm(dir, { recursive: true, force: true });
  }
});

/** A window whose events the test fires. */
function fakeWindow(start: WindowBoundsInfo) {
  const handlers = new Map<string, Set<(info: any) => void>>();
  const window = {
    on(event: string, handler: (info: any) => void) {
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event)!.add(handler);
      return () => handlers.get(event)!.delete(handler);
    },
    controls: { bounds: async () => start },
    fire(event: string, info: unknown) {
      for (const handler of handlers.get(event) ?? []) handler(info);
    },
    listening: () => [...handlers.values()].reduce((n, set) => n + set.size, 0),
  };
  return window as typeof window & StateWindow;
}

test('keepWindowState: saved after a pause in the changes, the normal bounds kept while maximized or minimized, and on close', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gluon-state-keep-'));
  try {
    const file = windowStateFile(dir, 'main');
    const read = async () => JSON.parse(await readFile(file, 'utf8'));
    const window = fakeWindow({ state: 'normal', left: 10, top: 10, width: 500, height: 400 });
    keepWindowState(window, file, undefined);
    for (let i = 0; i < 5; i++) window.fire('move', { state: 'normal', left: 20 + i, top: 30, width: 500, height: 400 });
    await sleep(SAVE_DELAY / 2);
    await assert.rejects(readFile(file), /ENOENT/, 'not yet: the changes may go on');
    await sleep(SAVE_DELAY);
    assert.deepEqual(await read(), { left: 24, top: 30, width: 500, height: 400, maximized: false });
    window.fire('maximize', { state: 'maximized', left: 0, top: 0, width: 1280, height: 800 });
    window.fire('minimize', { state: 'minimized', left: 0, top: 0, width: 1280, height: 800 });
    window.fire('close', { reason: 'the window was closed' });
    assert.deepEqual(await read(), { left: 24, top: 30, width: 500, height: 400, maximized: true }, 'written at once on close');
    assert.equal(window.listening(), 1, 'its handlers gone (the close one stays with the window)');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
