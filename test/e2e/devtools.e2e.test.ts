// open({ devtools: false }): DevTools cannot stay open. Chromium: the engine closes every
// DevTools target as it appears (opened here through the protocol, as F12 would). Firefox: the
// profile's devtools.policy.disabled pref (a unit test checks it is written); BiDi cannot open
// DevTools to try it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_ORIGIN } from '../../src/window/open.js';
import { ENGINE, openFixture, sleep } from './helpers.js';

test(`devtools: false closes DevTools as soon as it opens; the default lets it open (${ENGINE})`, { skip: ENGINE === 'firefox' && 'BiDi cannot open DevTools' }, async () => {
  for (const devtools of [true, false]) {
    const win = await openFixture('app', { devtools });
    try {
      await win.page.loaded;
      const targets = async () => (await win.cdp.send('Target.getTargets', {}, false)).targetInfos as { targetId: string; type: string; url: string }[];
      const page = (await targets()).find((t) => t.type === 'page' && t.url.startsWith(APP_ORIGIN))!;
      await win.cdp.send('Target.openDevTools', { targetId: page.targetId }, false);
      await sleep(1000);
      const open = (await targets()).filter((t) => t.url.startsWith('devtools://'));
      if (devtools) assert.ok(open.length > 0, 'DevTools opened (the check can see it)');
      else assert.deepEqual(open, [], 'DevTools was closed');
      win.ipc.ping = () => 'pong';
      assert.equal(await win.page.eval('Gluon.ipc.ping()'), 'pong');
    } finally {
      await win.close();
    }
  }
});
