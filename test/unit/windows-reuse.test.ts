// Which browser a new window of a profile gets (src/window/windows.ts engineFor), with fake
// engines: a running browser is reused; one on its way out is not, and the new one is launched
// only once its process has exited (it holds the profile's lock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page, EngineEvents } from '../../src/engine/types.js';
import { engineFor } from '../../src/window/windows.js';

/** A fake browser process: exit() ends it. */
function fakeProcess() {
  let exit!: () => void;
  let hasExited = false;
  let closing = false;
  const exited = new Promise<unknown>((resolve) => (exit = () => {
    hasExited = true;
    resolve({ code: 0, signal: null });
  }));
  return { process: { exited, get hasExited() { return hasExited; }, get closing() { return closing; } }, exit, markClosing: () => (closing = true) };
}

type FakeProcess = ReturnType<typeof fakeProcess>;

/** A fake engine of `browser`; browser.newPage opens another of the same browser unless `refuse` says why not. */
function fakeEngine(browser: FakeProcess, o: { refuse?: string } = {}): Page & { closeWindow(): void } {
  const handlers = new Set<(info: EngineEvents['close']) => void>();
  let closed = false;
  const engine = {
    process: browser.process,
    get closed() {
      return closed;
    },
    on: (event: string, handler: (info: EngineEvents['close']) => void) => {
      if (event === 'close') handlers.add(handler);
      return () => handlers.delete(handler);
    },
    browser: {
      newPage: async () => {
        if (o.refuse) throw new Error(o.refuse);
        return fakeEngine(browser);
      },
    },
    closeWindow: () => {
      closed = true;
      for (const handler of handlers) handler({ reason: 'the window was closed' });
    },
  };
  return engine as unknown as Page & { closeWindow(): void };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

test('a running browser of the profile is reused', async () => {
  const browser = fakeProcess();
  const first = await engineFor('reuse', async () => fakeEngine(browser));
  const second = await engineFor('reuse', async () => assert.fail('no new browser'));
  assert.equal(first.launched, true);
  assert.equal(second.launched, false);
  assert.equal(second.engine.process, first.engine.process);
  browser.exit();
});

test('a browser asked to close (Browser.close) is not reused: the next launches once it has exited', async () => {
  const old = fakeProcess();
  const { engine } = await engineFor('closing', async () => fakeEngine(old));
  old.markClosing(); // what an engine does when the app sends Browser.close
  assert.equal(engine.process.closing, true);
  let launched = false;
  const next = engineFor('closing', async () => {
    launched = true;
    assert.equal(old.process.hasExited, true, 'the old browser has exited before the new one starts');
    return fakeEngine(fakeProcess());
  });
  await tick();
  assert.equal(launched, false, 'waits for the old browser to exit');
  old.exit();
  assert.equal((await next).launched, true);
});

test('a closed window whose browser is still exiting: the next launches once it has exited', async () => {
  const old = fakeProcess();
  const { engine } = await engineFor('exiting', async () => fakeEngine(old));
  (engine as Page & { closeWindow(): void }).closeWindow();
  let launched = false;
  const next = engineFor('exiting', async () => {
    launched = true;
    return fakeEngine(fakeProcess());
  });
  await tick();
  assert.equal(launched, false);
  old.exit();
  assert.equal((await next).launched, true);
});

test('a reuse that fails falls back to a new browser once the old one has exited', async () => {
  const old = fakeProcess();
  await engineFor('refusing', async () => fakeEngine(old, { refuse: 'Target.createTarget: Failed to open a new tab' }));
  setTimeout(() => old.exit(), 50);
  const next = await engineFor('refusing', async () => {
    assert.equal(old.process.hasExited, true);
    return fakeEngine(fakeProcess());
  });
  assert.equal(next.launched, true);
});
