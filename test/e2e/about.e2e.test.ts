// Gluon.openAbout: the about window shows what it was given, escaped, and opens only the listed
// links, with the desktop's opener (a stand-in xdg-open here, first on PATH).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Gluon from '../../src/index.js';
import { ENGINE, repoRoot, sleep, until, waitFor } from './helpers.js';

const packageJson = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'));

const aboutDirs = async () => (await readdir(tmpdir())).filter((name) => name.startsWith('gluon-ts-about-')).length;

test(`openAbout shows the app's name, version, description, icon, versions and links; a link opens outside (${ENGINE})`, { skip: process.platform !== 'linux' && 'uses a stand-in xdg-open' }, async () => {
  const bin = await mkdtemp(join(tmpdir(), 'gluon-test-bin-'));
  const opened = join(bin, 'opened.txt');
  await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
  await chmod(join(bin, 'xdg-open'), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on('warning', onWarning);
  const before = await aboutDirs();
  const versions = { product: { name: 'Chromium', version: '156.0.1', major: 156 }, engine: { name: 'chromium', version: '156.0.1', major: 156 }, jsEngine: { name: 'v8', version: '15.6', major: 15 } };
  const about = await Gluon.openAbout({
    name: 'Notes <Pro>',
    version: '1.2.3',
    description: 'Takes <b>notes</b>.',
    icon: 'data:image/svg+xml,%3Csvg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/%3E',
    links: [
      { href: 'https://example.org/notes?a=1&b=2', text: 'Website' },
      { href: 'javascript:alert(1)', text: 'Bad' },
    ],
    gluonVersions: versions,
  }, { headless: true });
  try {
    await about.page.loaded;
    const shown = await about.page.eval(() => ({
      title: document.title,
      name: document.querySelector('h1')?.textContent,
      version: document.querySelector('.version')?.textContent,
      description: document.querySelector('.description')?.innerHTML,
      icon: (document.querySelector('img') as HTMLImageElement | null)?.complete,
      links: Array.from(document.querySelectorAll('nav a'), (a) => a.textContent),
      versions: document.querySelector('.versions')?.textContent,
    }));
    assert.deepEqual(shown, {
      title: 'About Notes <Pro>',
      name: 'Notes <Pro>',
      version: '1.2.3',
      description: 'Takes <b>notes</b>.',
      icon: true,
      links: ['Website'],
      versions: `gluon-ts ${packageJson.version} (Gluon 0.14.0 API) · Node ${process.versions.node} · Chromium 156.0.1`,
    });
    assert.deepEqual(await about.page.eval('[Gluon.versions.gluon, Gluon.versions.gluonTs]'), ['0.14.0', packageJson.version]);
    assert.ok(warnings.some((w) => /left out a link/.test(w)), 'the javascript: link was refused with a warning');

    await about.page.eval('document.querySelector("nav a").click()');
    await until(async () => (await readFile(opened, 'utf8').catch(() => '')) !== '', 'the stand-in xdg-open to run');
    assert.equal(await readFile(opened, 'utf8'), 'https://example.org/notes?a=1&b=2');
    await waitFor(about, 'location.pathname === "/"'); // the about window stayed where it was
  } finally {
    await about.close();
    process.env.PATH = path;
    process.off('warning', onWarning);
  }
  for (let i = 0; i < 100 && (await aboutDirs()) > before; i++) await sleep(20);
  assert.equal(await aboutDirs(), before, 'its temporary folder is gone once it closed');
});
