// Issue G item 1, as a Gluon app meets it: once the receiving side is up, an event nobody
// listens for answers null at once and a call of a function nobody exposed rejects at once,
// both ways; an event the backend sends right after open() still waits for the listener a page
// script adds before `load`. The app (compat/unheard) imports '@gluon-framework/gluon' only.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINE, linkCompatApps, runCompatApp } from './helpers.js';

before(linkCompatApps);

test(`Gluon-style app: 10 unheard events and 10 calls of unexposed functions each way take under 50 ms per direction (${ENGINE})`, async () => {
  // ipcWait stays at its default, 5000 ms: one wait for a handler would show at once.
  const report = await runCompatApp('unheard');
  console.log(`${ENGINE}, 10 unheard events + 10 calls of unexposed functions, one after the other, ms per round: ` +
    `page -> backend ${report.fromPage.rounds.join(', ')}; backend -> page ${report.toPage.rounds.join(', ')}`);
  for (const [direction, { outcomes, rounds }] of Object.entries<{ outcomes: string[]; rounds: number[] }>({ 'page -> backend': report.fromPage, 'backend -> page': report.toPage })) {
    assert.deepEqual(outcomes, ['event: null', 'call: ReferenceError'], direction);
    // The first rounds share the machine with the page's start (and four other test runs): the best
    // round shows what the IPC costs, and no round comes near a single wait of 5000 ms.
    assert.ok(Math.min(...rounds) < 50, `${direction}: the best of ${rounds.length} rounds took ${Math.min(...rounds)} ms`);
    assert.ok(Math.max(...rounds) < 4000, `${direction}: a round took ${Math.max(...rounds)} ms`);
  }
  // The start-up race the wait is kept for: the early event reached the page before its
  // listener existed, waited for it, and got its reply.
  assert.equal(report.fromPage.arrivedBeforeListener, true, 'the early event reached the page before its listener was added');
  assert.equal(report.early, 42);
});
