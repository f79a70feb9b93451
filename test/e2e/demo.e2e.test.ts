// The demo app behind the README's first command, run headless the way `npm start` runs it
// on a machine with no display: it must drive its own UI through and exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runNode } from './helpers.js';

test('the Notes demo runs headless end to end and saves a screenshot', async () => {
  const work = await mkdtemp(join(tmpdir(), 'gluon-demo-'));
  try {
    const shot = join(work, 'shot.png');
    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    delete env.GLUON_HEADLESS;
    const { code, stdout, stderr } = await runNode(join(repoRoot, 'examples', 'notes', 'app.js'), ['--data', join(work, 'data'), '--screenshot', shot], {
      cwd: work, env, timeout: 60000,
    });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /No display found, so the demo runs headless/);
    assert.match(stdout, /The page lists 4 notes/);
    assert.match(stdout, /the page shows "RangeError: A note needs a title"/);
    assert.match(stdout, /store\.theme is now 'dark', saved to notes\.json/);
    const png = await readFile(shot);
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
