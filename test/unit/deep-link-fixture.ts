// The built app of test/fixtures/deep-link/ as install sees it (its desktop entry, MIME package
// and icon written by the same functions gluon-ts build uses), for deep-links*.test.ts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRegistrations } from '../../src/desktop/deep-links.js';
import type { InstallInput } from '../../src/desktop/install.js';
import { desktopEntry, mimePackage } from '../../src/cli/build.js';

export const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'deep-link');
export const registrations = parseRegistrations(JSON.parse(readFileSync(join(fixture, 'package.json'), 'utf8')).gluon, 'deep-link-fixture');

/** A built app in `dir`: its desktop entry, a 48x48 icon, its MIME package. */
export function builtFixture(dir: string): InstallInput {
  const build = join(dir, 'build');
  mkdirSync(build, { recursive: true });
  const exec = [process.execPath, join(fixture, 'app.mjs')];
  writeFileSync(join(build, 'deep-link-fixture.desktop'), desktopEntry({ title: 'Deep link fixture', exec, icon: join(build, 'deep-link-fixture.png'), windowClass: 'deep-link-fixture', registrations }));
  writeFileSync(join(build, 'deep-link-fixture-mime.xml'), mimePackage(registrations)!);
  writeFileSync(join(build, 'deep-link-fixture.png'), 'not looked into');
  return {
    id: 'deep-link-fixture',
    title: 'Deep link fixture',
    exec,
    desktopFile: join(build, 'deep-link-fixture.desktop'),
    mimeFile: join(build, 'deep-link-fixture-mime.xml'),
    icon: { path: join(build, 'deep-link-fixture.png'), width: 48, height: 48 },
    registrations,
  };
}

