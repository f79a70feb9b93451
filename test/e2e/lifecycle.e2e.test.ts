// Window lifecycle: close(), `closed`, the close event, a browser that dies, and a backend
// that exits in every usual way: no browser process may be left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { ENGINE, fixture, liveBrowserPids, openFixture, runNode, sleep } from './helpers.js';

async function waitForNoBrowser(pid: number, timeout = 3000): Promise<number[]> {
  const deadline = Date.now() + timeout;
  let left = await liveBrowserPids(pid);
  while (left.length && Date.now() < deadline) {
    await sleep(50);
    left = await liveBrowserPids(pid);
  }
  return left;
}

test('close() closes the window: closed is true, the close event fires, no browser process is left', async () => {
  const win = await openFixture('app');
  const pid = win.browser.pid;
  assert.ok((await liveBrowserPids(pid)).length >= 2, 'the browser and its helpers run in their own process group');
  const events: string[] = [];
  win.on('close', ({ reason }) => events.push(reason));
  assert.equal(win.closed, false);
  await win.close();
  assert.equal(win.closed, true);
  assert.deepEqual(events, ['the window was closed by the app']);
  assert.equal(existsSync(win.browser.profile), false, 'the temporary profile is gone when close() resolves');
  assert.deepEqual(await waitForNoBrowser(pid), []);
  await win.close(); // a second close is harmless
});

test('the browser dying mid-call: closed turns true, the close event fires within 1 s, pending calls reject', async () => {
  const win = await openFixture('app');
  await win.page.loaded;
  await win.page.eval(`Gluon.ipc.on('never', () => new Promise(() => {}))`);
  const pending = win.ipc.send('never');
  const closed = new Promise<{ reason: string; at: number }>((resolve) => win.on('close', ({ reason }) => resolve({ reason, at: Date.now() })));
  await sleep(50);
  const killedAt = Date.now();
  process.kill(win.browser.pid, 'SIGKILL');
  const { reason, at } = await closed;
  assert.ok(at - killedAt < 1000, `close event after ${at - killedAt} ms`);
  assert.match(reason, /browser exited|closed its protocol connection/);
  assert.equal(win.closed, true);
  await assert.rejects(pending, { name: 'IPCClosedError' });
  await assert.rejects(win.ipc.send('after'), { name: 'IPCClosedError' });
  assert.deepEqual(await waitForNoBrowser(win.browser.pid), []);
  await win.close();
  assert.equal(existsSync(win.browser.profile), false, 'the temporary profile of a crashed browser is deleted too');
});

test('the window closed by the user fires close and ends the browser', async () => {
  const win = await openFixture('app');
  const pid = win.browser.pid;
  const closed = new Promise<string>((resolve) => win.on('close', ({ reason }) => resolve(reason)));
  if (ENGINE === 'firefox') {
    // Firefox's close button quits it (the app's page is its last window), as SIGTERM does;
    // BiDi's browsingContext.close refuses to close a browser's last tab, so it cannot stand in.
    process.kill(pid, 'SIGTERM');
    assert.match(await closed, /the window was closed|the browser exited|closed its protocol connection/);
  } else {
    // What the window's close button does: the browser closes the page target.
    const { targetInfos } = await win.cdp.send('Target.getTargets', {}, false);
    const page = targetInfos.find((target: { type: string; attached: boolean }) => target.type === 'page' && target.attached);
    await win.cdp.send('Target.closeTarget', { targetId: page.targetId }, false);
    assert.equal(await closed, 'the window was closed');
  }
  assert.equal(win.closed, true);
  assert.deepEqual(await waitForNoBrowser(pid), []);
  await win.close();
  assert.equal(existsSync(win.browser.profile), false);
});

for (const mode of ['process.exit', 'uncaught', 'close', 'SIGINT', 'SIGTERM']) {
  test(`the backend leaving by ${mode} leaves no browser process and no temporary profile (3 cycles)`, async () => {
    for (let cycle = 1; cycle <= 3; cycle++) {
      let signalled = false;
      const { code, signal, stdout, stderr } = await runNode(fixture('lifecycle.mjs'), [mode.startsWith('SIG') ? 'wait' : mode], {
        timeout: 20000,
        onStdout: (all, child) => {
          if (!signalled && mode.startsWith('SIG') && /READY \d+/.test(all)) {
            signalled = true;
            process.kill(child, mode as NodeJS.Signals);
          }
        },
      });
      const [, pidText, profile] = /READY (\d+) (\S+)/.exec(stdout) ?? [];
      const pid = Number(pidText);
      assert.ok(pid > 0, `cycle ${cycle}: no READY line\n${stdout}\n${stderr}`);
      if (mode.startsWith('SIG')) assert.equal(signal, mode, `cycle ${cycle}: the backend ends by the signal, as it would without gluon`);
      if (mode === 'uncaught') assert.match(stderr, /boom: an uncaught exception/);
      if (mode === 'close') {
        assert.equal(code, 0);
        assert.match(stdout, /CLOSED/);
      }
      assert.deepEqual(await waitForNoBrowser(pid), [], `cycle ${cycle}: browser processes left behind`);
      assert.equal(existsSync(profile), false, `cycle ${cycle}: the temporary profile ${profile} was left behind`);
    }
  });
}
