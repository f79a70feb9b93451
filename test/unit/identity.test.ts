// App identity without a browser: the name from open() or the app's package.json, the window
// class made of it, the icon checked as a PNG, the switches each engine gets, the profile folder
// named by the app (an older one moved to it), and the .desktop file `gluon-ts build` writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs } from '../../src/browser/chromium.js';
import { firefoxArgs } from '../../src/browser/firefox.js';
import { pngSize } from '../../src/browser/icon.js';
import { adoptAppFolder, appIdFor, windowClassFor } from '../../src/browser/profile.js';
import { writeDesktopEntry } from '../../src/cli/build.js';
import { blankStart } from '../../src/engine/chromium/crPage.js';
import { appPackageAbove } from '../../src/desktop/app-name.js';
import { resolveIdentity } from '../../src/window/identity.js';

/** The first 24 bytes of a PNG of `width` x `height`: all pngSize reads. */
function pngHeader(width: number, height: number): Buffer {
  const bytes = Buffer.alloc(33);
  bytes.set([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13]);
  bytes.write('IHDR', 12, 'latin1');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
}

async function tree(files: Record<string, string | Buffer>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gluon-ts-identity-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

test('the window class keeps letters, digits, dot, dash and underscore; a scoped npm name loses its @ and /', () => {
  assert.equal(windowClassFor('notes'), 'notes');
  assert.equal(windowClassFor('@acme/notes-app'), 'acme-notes-app');
  assert.equal(windowClassFor('My Notes 2'), 'My-Notes-2');
  assert.equal(windowClassFor('..//'), 'app');
});

test('the app\'s package.json: the nearest above with a name; a nameless one (a "type" folder) is passed over', async () => {
  const root = await tree({
    'package.json': JSON.stringify({ name: 'notes', gluon: { icon: 'assets/icon.png' } }),
    'src/package.json': JSON.stringify({ type: 'module' }),
    'src/main.js': '',
  });
  try {
    assert.deepEqual(appPackageAbove(join(root, 'src')), { name: 'notes', folder: root, icon: 'assets/icon.png' });
    assert.equal(appPackageAbove(join(root, 'src'), () => { throw new Error('ENOENT'); }), undefined);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('resolveIdentity: open()\'s name wins, else the package.json above the entry, else above the caller; the icon is checked', async () => {
  const root = await tree({
    'app/package.json': JSON.stringify({ name: '@acme/notes', gluon: { icon: 'icon.png' } }),
    'app/icon.png': pngHeader(64, 64),
    'lib/package.json': JSON.stringify({ name: 'library' }),
    'lib/not-a-png.png': 'GIF89a',
  });
  try {
    const fromEntry = resolveIdentity({ baseDir: join(root, 'lib'), entryDir: join(root, 'app') });
    assert.equal(fromEntry?.name, '@acme/notes');
    assert.equal(fromEntry?.windowClass, 'acme-notes');
    assert.deepEqual(fromEntry?.icon && [fromEntry.icon.path, fromEntry.icon.width, fromEntry.icon.height], [join(root, 'app', 'icon.png'), 64, 64]);
    assert.equal(resolveIdentity({ baseDir: join(root, 'lib') })?.windowClass, 'library');
    assert.equal(resolveIdentity({ name: 'Notes', baseDir: join(root, 'lib') })?.windowClass, 'Notes');
    assert.equal(resolveIdentity({ baseDir: join(root, 'lib'), built: { name: 'built-notes' } })?.name, 'built-notes');
    assert.throws(() => resolveIdentity({ name: '', baseDir: root }), /name must be a non-empty string/);
    assert.throws(() => resolveIdentity({ name: 'x', icon: 'not-a-png.png', baseDir: join(root, 'lib') }), /not-a-png\.png is not a PNG file/);
    assert.throws(() => resolveIdentity({ name: 'x', icon: 'missing.png', baseDir: root }), /cannot read .*missing\.png \(ENOENT\)/);
    assert.deepEqual(pngSize(pngHeader(300, 200), 'x'), { width: 300, height: 200 });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('each engine gets the window class: Chromium --class and a start URL named by it; Firefox --class, --name and system access', () => {
  assert.equal(blankStart('notes'), 'data:notes,');
  assert.equal(blankStart(undefined), 'data:text/html,');
  const chromium = chromiumArgs({ startUrl: blankStart('notes'), profileDir: '/p', headless: false, asRoot: false, windowClass: 'notes' });
  assert.ok(chromium.includes('--class=notes'));
  assert.equal(chromium.find((arg) => arg.startsWith('--app=')), '--app=data:notes,');
  assert.ok(!chromiumArgs({ startUrl: 'data:text/html,', profileDir: '/p', headless: false, asRoot: false }).some((arg) => arg.startsWith('--class')));
  const firefox = firefoxArgs({ profileDir: '/p', headless: false, windowClass: 'notes', systemAccess: true });
  for (const arg of ['--class=notes', '--name=notes', '--remote-allow-system-access']) assert.ok(firefox.includes(arg), arg);
  assert.ok(!firefoxArgs({ profileDir: '/p', headless: false }).some((arg) => /--class|--name|system-access/.test(arg)));
});

test('the profile folder is named by the app; an older one (entry folder name and hash) is moved to it once', async () => {
  const data = await mkdtemp(join(tmpdir(), 'gluon-ts-data-'));
  const env = { XDG_DATA_HOME: data };
  const entry = join(data, 'apps', 'notes');
  try {
    assert.equal(await adoptAppFolder({ entryPath: entry, env }), appIdFor(entry), 'no name: the older folder name');
    assert.equal(await adoptAppFolder({ windowClass: 'notes', entryPath: entry, env }), 'notes', 'nothing to move');
    const older = join(data, 'gluon-ts', appIdFor(entry), 'chromium');
    await mkdir(older, { recursive: true });
    await writeFile(join(older, 'Local State'), 'kept');
    const lines: string[] = [];
    assert.equal(await adoptAppFolder({ windowClass: 'notes', entryPath: entry, env, log: (line) => lines.push(line) }), 'notes');
    assert.equal(readFileSync(join(data, 'gluon-ts', 'notes', 'chromium', 'Local State'), 'utf8'), 'kept');
    assert.ok(!existsSync(older));
    assert.match(lines.join('\n'), /moved the app's profiles/);
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});

test('gluon-ts build: a .desktop file with Name, Exec, Icon, StartupWMClass matching the window class, and the icon beside it', async () => {
  const root = await tree({ 'icon.png': pngHeader(128, 128), 'dist/.keep': '' });
  try {
    const out = join(root, 'dist');
    const exe = join(out, 'my notes');
    const project = { root, name: '@acme/notes', main: join(root, 'main.js'), packageJson: { name: '@acme/notes', productName: 'Acme Notes', description: 'Notes, 100% local', gluon: { icon: 'icon.png' } } };
    const written = writeDesktopEntry(project, out, { bundle: join(out, 'main.mjs'), executable: exe }, () => {});
    assert.equal(written.desktopFile, join(out, 'acme-notes.desktop'));
    assert.equal(written.icon, join(out, 'acme-notes.png'));
    assert.ok(readFileSync(written.icon!).equals(pngHeader(128, 128)));
    const entry = Object.fromEntries(readFileSync(written.desktopFile!, 'utf8').trim().split('\n').slice(1).map((line) => line.split(/=(.*)/s).slice(0, 2)));
    assert.deepEqual(entry, {
      Type: 'Application',
      Name: 'Acme Notes',
      Comment: 'Notes, 100% local',
      Exec: `"${exe}"`,
      Icon: written.icon,
      Terminal: 'false',
      StartupWMClass: windowClassFor('@acme/notes'),
      Categories: 'Utility;',
    });
    assert.throws(() => writeDesktopEntry({ ...project, packageJson: { gluon: { icon: 'dist/.keep' } } }, out, { bundle: '' }, () => {}), /gluon\.icon.*is not a PNG file/);
    // Debian's desktop-file-utils, where installed.
    const validate = spawnSync('desktop-file-validate', [written.desktopFile!], { encoding: 'utf8' });
    if (!validate.error) assert.equal(validate.status, 0, validate.stdout + validate.stderr);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
