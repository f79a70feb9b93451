// Gluon apps hand over values as they come (directory entries, file stats, objects holding
// methods and promises) and Gluon carried them as JSON does. compat/values does that both
// ways, through the npm alias, and reports what arrived.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ENGINE, linkCompatApps, repoRoot, runCompatApp, runNode } from './helpers.js';

before(linkCompatApps);

test(`Gluon-style app: Dirents, Stats, class instances, methods and promises cross as JSON carries them, both ways (${ENGINE})`, async () => {
  const report = await runCompatApp('values');
  // Backend -> page: what JSON makes of them (Dates stay Dates: we carry those exactly).
  const entries = [...report.fromPage.entries].sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name));
  assert.deepEqual(entries.map((entry: { name: string }) => entry.name), ['notes.txt', 'photos']);
  assert.ok(entries.every((entry: Record<string, unknown>) => typeof entry.parentPath === 'string' && typeof entry.path === 'string'));
  assert.deepEqual(report.fromPage.stats, { size: 5, mtimeIsDate: true, mtimeMsIsNumber: true, isFile: 'undefined' });
  assert.deepEqual(report.fromPage.task, { task: { title: 'write docs', done: false }, steps: [1, null] });
  assert.deepEqual(report.fromPage.settings, { theme: 'dark' });
  // A result JSON could not carry either still rejects the caller, and the backend says so once.
  assert.match(report.fromPage.broken, /^TypeError: the result cannot be sent back from the backend: the size is not known yet at \.size/);
  assert.deepEqual(report.warnings.map((warning: { code: string }) => warning.code), ['GLUON_IPC_UNSENDABLE']);
  assert.match(report.warnings[0].message, /call broken\(\): the result cannot be sent back from the backend: the size is not known yet at \.size; the page's call rejects/);
  // Page -> backend: a reply and a stored value holding class instances, DOM nodes, methods and promises.
  assert.deepEqual(report.pageReply, { shape: { sides: 3 }, node: {}, handlers: [null, 'kept'] });
  assert.deepEqual(report.pageStore, { zoom: 2 });
});

test(`Gluon-style app: GLUON_DEBUG=ipc names what was left out, and logs an unsendable result as err (${ENGINE})`, async () => {
  const cwd = join(repoRoot, 'compat', 'values');
  const { code, stdout, stderr } = await runNode(join(cwd, 'index.js'), [], {
    cwd,
    env: { ...process.env, GLUON_HEADLESS: '1', COMPAT_REPORT: '1', GLUON_DEBUG: 'ipc' },
    timeout: 60_000,
  });
  assert.equal(code, 0, stderr.slice(-2000));
  assert.ok(stdout.trim().split('\n').at(-1)?.startsWith('{'), stdout);
  const lines = stderr.split('\n').filter((line) => line.startsWith('[gluon:ipc '));
  const leftOut = lines.filter((line) => line.includes('left out what JSON leaves out'));
  assert.ok(leftOut.some((line) => /ok #\d+: left out what JSON leaves out: \.onDone \(a function\), \.saved \(a promise\), \.steps\[1\] \(a function\)$/.test(line)), leftOut.join('\n'));
  assert.ok(leftOut.some((line) => /store settings: left out what JSON leaves out: \.apply \(a function\), \.loaded \(a promise\)$/.test(line)), leftOut.join('\n'));
  assert.ok(lines.some((line) => /-> err for call broken\(\) #\d+/.test(line)), lines.join('\n'));
  assert.ok(!lines.some((line) => /-> ok for call broken\(\)/.test(line)), 'an unsendable result is not logged as ok');
});
