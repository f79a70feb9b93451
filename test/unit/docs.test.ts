// The API reference in docs/api is generated from the typings by TypeDoc (npm run docs): it must
// be what TypeDoc makes of the sources now, so a changed signature or doc comment fails here
// until the reference is regenerated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test('docs/api is the reference TypeDoc generates from the current typings', { timeout: 120_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'gluon-docs-'));
  try {
    const typedoc = join(dirname(createRequire(join(root, 'package.json')).resolve('typedoc/package.json')), 'bin', 'typedoc');
    await promisify(execFile)(process.execPath, [typedoc, '--out', out, '--logLevel', 'Error'], { cwd: root });
    const fresh = files(out).map((file) => relative(out, file)).sort();
    const committed = files(join(root, 'docs', 'api')).map((file) => relative(join(root, 'docs', 'api'), file)).sort();
    assert.deepEqual(committed, fresh, 'docs/api has other pages than TypeDoc makes now: run npm run docs');
    for (const page of fresh) {
      assert.equal(readFileSync(join(root, 'docs', 'api', page), 'utf8'), readFileSync(join(out, page), 'utf8'), `docs/api/${page} is out of date: run npm run docs`);
    }
    for (const name of ['functions/open.md', 'interfaces/Window.md', 'interfaces/OpenOptions.md']) {
      assert.ok(fresh.includes(join('gluon-ts', name)), `the reference documents ${name}`);
    }
    assert.ok(fresh.includes(join('gluon-ts', 'page', 'README.md')), 'the page-side types are documented too');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
