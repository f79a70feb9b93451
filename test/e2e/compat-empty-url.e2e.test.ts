// Gluon.open(''): a Gluon app opens its own folder (the index.html beside the calling module).
// gluon-ts used to refuse '' ("url must be a URL or a path"). The app is compat/empty-url.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENGINE, linkCompatApps, repoRoot, runCompatApp } from './helpers.js';

before(linkCompatApps);

const EXPECTED = { title: 'empty-url', heading: "The app's own folder", sibling: 'hello from beside index.js\n' };

test('the app is written for Gluon: it imports @gluon-framework/gluon and nothing of gluon-ts', async () => {
  const source = await readFile(join(repoRoot, 'compat', 'empty-url', 'index.js'), 'utf8');
  assert.match(source, /^import \* as Gluon from '@gluon-framework\/gluon';$/m);
  assert.match(source, /Gluon\.open\(''/);
  assert.doesNotMatch(source, /gluon-ts/);
});

test(`Gluon-style app: open('') shows the app's own folder, whatever the working folder (${ENGINE})`, async () => {
  assert.deepEqual(await runCompatApp('empty-url'), EXPECTED);
  assert.deepEqual(await runCompatApp('empty-url', { cwd: repoRoot }), EXPECTED);
});

test("Gluon-style app: open('') under Bun and Deno", { skip: ENGINE !== 'chromium' && 'Bun and Deno run on Chromium (README: Runtimes)' }, async () => {
  const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);
  assert.deepEqual(await runCompatApp('empty-url', { runtime: [bin('bun')] }), EXPECTED);
  assert.deepEqual(await runCompatApp('empty-url', { runtime: [bin('deno'), 'run', '-A'] }), EXPECTED);
});
