// A window opened right after the app closed its browser (issue G, item 2): the browser on its
// way out is never reused; open() waits until its process has exited (it holds the profile's
// lock) and starts a new one. compat/reopen is a Gluon-style app run through the npm alias; it
// uses its own persistent profile (under a temporary XDG_DATA_HOME), as Gluon apps do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ENGINE, linkCompatApps, openFixture, repoRoot, runCompatApp, waitForNoneMarked, windowMark,
} from './helpers.js';

const data = mkdtempSync(join(tmpdir(), 'gluon-compat-reopen-'));
before(linkCompatApps);
after(() => rmSync(data, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));

interface Round {
  round: number;
  ok: boolean;
  ms: number;
  heard?: string;
  error?: string;
}

async function reopen(way: 'cdp' | 'close'): Promise<void> {
  const source = readFileSync(join(repoRoot, 'compat', 'reopen', 'index.js'), 'utf8');
  assert.match(source, /^import \* as Gluon from '@gluon-framework\/gluon';$/m);
  const started = Date.now();
  const report = await runCompatApp('reopen', { env: { XDG_DATA_HOME: join(data, way), REOPEN_WAY: way }, timeout: 120_000 });
  const rounds = report.rounds as Round[];
  assert.equal(report.engine, ENGINE);
  assert.equal(report.way, way);
  assert.deepEqual(rounds.filter((round) => !round.ok), [], 'every round opened a working window');
  assert.equal(rounds.length, 5);
  for (const round of rounds) assert.equal(typeof round.heard, 'string', `round ${round.round}: the new page said it was up`);
  console.log(`# reopen by ${way} (${ENGINE}): 5 of 5 rounds worked; close to the new page's first message ${rounds.map((round) => round.ms).join(', ')} ms; ${Date.now() - started} ms in all`);
}

test(`Gluon-style app: Window.cdp.send('Browser.close'), then open() at once, 5 times in a row (${ENGINE})`, () => reopen('cdp'));

test(`Gluon-style app: Window.close() (nothing to await in Gluon), then open() at once, 5 times in a row (${ENGINE})`, () => reopen('close'));

test(`the browser killed from outside, then open() at once on its profile, 5 times in a row (${ENGINE})`, async () => {
  const dataPath = join(data, 'killed');
  const marks: string[] = [];
  let win = await openFixture('app', { incognito: false, dataPath });
  marks.push(windowMark(win));
  const started = Date.now();
  try {
    for (let round = 1; round <= 5; round++) {
      const pid = win.browser.pid;
      process.kill(pid, 'SIGKILL');
      win = await openFixture('app', { incognito: false, dataPath });
      marks.push(windowMark(win));
      assert.notEqual(win.browser.pid, pid, `round ${round}: a new browser`);
      win.ipc.ping = () => 'pong';
      assert.equal(await win.page.eval('Gluon.ipc.ping()'), 'pong', `round ${round}: the new window works`);
    }
  } finally {
    await win.close();
  }
  const ms = Date.now() - started;
  // Nothing of the killed browsers is left either.
  for (const mark of marks) assert.deepEqual((await waitForNoneMarked(mark, 3000)).left, [], 'no process of any of the browsers is left');
  console.log(`# reopen after a kill (${ENGINE}): 5 of 5 rounds worked, ${ms} ms in all`);
});
