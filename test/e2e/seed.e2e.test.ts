// The two samples of Gluon's IPC page, run as real apps (`node expose.mjs`) from their own
// folder: the backend exposes right after `await open()` while the page calls on its first
// script run. It must work every time, so each runs several times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, runNode } from './helpers.js';

const RUNS = 5;
const env = { ...process.env, GLUON_HEADLESS: '1' };

for (const sample of ['expose', 'events']) {
  test(`the seed's ${sample} sample works on every run (${RUNS} runs)`, async () => {
    for (let run = 1; run <= RUNS; run++) {
      const { code, stdout, stderr } = await runNode(fixture('seed', `${sample}.mjs`), [], { cwd: fixture('seed'), env });
      assert.equal(code, 0, `run ${run} exited with ${code}\n${stderr}`);
      const line = stdout.trim().split('\n').pop() ?? '';
      assert.deepEqual(JSON.parse(line), { result: { theme: 'dark', source: 'config.json' } }, `run ${run}`);
    }
  });
}

test('logs are quiet by default; GLUON_DEBUG=ipc prints each message with its name, size and latency', async () => {
  const quiet = await runNode(fixture('seed', 'expose.mjs'), [], { cwd: fixture('seed'), env });
  assert.equal(quiet.code, 0);
  assert.doesNotMatch(quiet.stdout + quiet.stderr, /\[gluon:/);
  const loud = await runNode(fixture('seed', 'expose.mjs'), [], { cwd: fixture('seed'), env: { ...env, GLUON_DEBUG: 'ipc' } });
  assert.equal(loud.code, 0);
  assert.match(loud.stderr, /\[gluon:ipc \+\d+ms\] <- call getConfig\(\) #1\n/);
  assert.match(loud.stderr, /\[gluon:ipc \+\d+ms\] -> ok for call getConfig\(\) #1 after \d+ ms, \d+ chars\n/);
  assert.doesNotMatch(loud.stderr, /\[gluon:cdp/, 'other namespaces stay off');
});
