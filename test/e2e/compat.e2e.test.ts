// Gluon apps unchanged: the apps in compat/ import '@gluon-framework/gluon', which their
// package.json points at this repository (an npm alias, "file:.."). Each runs as its own Node
// process, headless, reports what it saw as one JSON line, and closes itself.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { ENGINE, linkCompatApps, repoRoot, runCompatApp as runApp } from './helpers.js';

const compat = join(repoRoot, 'compat');

before(linkCompatApps);

test('every compat app imports @gluon-framework/gluon (and node: modules only), and it is this package', async () => {
  const linked = await realpath(join(compat, 'node_modules', '@gluon-framework', 'gluon'));
  assert.equal(linked, await realpath(repoRoot));
  const apps = readdirSync(compat, { withFileTypes: true }).filter((entry) => entry.isDirectory() && existsSync(join(compat, entry.name, 'index.js'))).map((entry) => entry.name);
  assert.ok(apps.length >= 10, `the compat apps: ${apps.join(', ')}`);
  for (const app of apps) {
    const source = await readFile(join(compat, app, 'index.js'), 'utf8');
    assert.match(source, /^import \* as Gluon from '@gluon-framework\/gluon';$/m, app);
    // Gluon, and Node's own modules: nothing of gluon-ts by its own name.
    const imported = [...source.matchAll(/^\s*import\b[^'"]*['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
    assert.deepEqual(imported.filter((name) => name !== '@gluon-framework/gluon' && !name.startsWith('node:')), [], app);
  }
});

test('the compat apps type-check (tsc --checkJs) against the typings @gluon-framework/gluon resolves to', { skip: ENGINE !== 'chromium' && 'engine-independent: once per npm test' }, () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', join(compat, 'tsconfig.json'), '--pretty', 'false'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

test(`Gluon-style app: a version-info window (${ENGINE})`, async () => {
  const report = await runApp('hello');
  assert.equal(report.backend.engine.name, ENGINE);
  assert.equal(report.backend.jsEngine.name, ENGINE === 'chromium' ? 'v8' : 'spidermonkey');
  assert.ok(report.backend.product.major > 100);
  assert.equal(report.rows.Node, process.versions.node);
  // The Gluon API level implemented, where Gluon reports its version (apps compare it), both sides.
  assert.equal(report.rows.Gluon, '0.14.0');
  assert.equal(report.backend.gluon, '0.14.0');
  assert.match(report.rows.Browser, new RegExp(`\\(${ENGINE}\\)$`));
});

test(`Gluon-style app: onLoad and resources (${ENGINE})`, async () => {
  const report = await runApp('resources');
  assert.deepEqual(report.first, { background: 'rgb(10, 20, 30)', banners: 1, onload: '1' });
  assert.deepEqual(report.afterReload, { background: 'rgb(10, 20, 30)', banners: 1, onload: '1' });
  assert.equal(report.modified.background, 'rgb(200, 100, 0)');
  assert.deepEqual(report.removed, { background: 'rgba(0, 0, 0, 0)', banners: 0, onload: '1' });
});

test(`Gluon-style app: the store both ways, events with replies, controls (${ENGINE})`, async () => {
  const report = await runApp('store-controls');
  assert.deepEqual(report.pageSawStore, { theme: 'dark', user: { name: 'ada', visits: 1 } });
  assert.equal(report.pageWrote, 'theme is now light');
  assert.equal(report.backendSees, 'light');
  assert.equal(report.minimized, 'hidden');
  assert.deepEqual(report.shown, ['visible', 520, 400]);
  assert.equal(report.maximizedWider, true);
});
