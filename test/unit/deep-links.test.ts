// Deep links and file types (src/desktop/deep-links.ts, src/desktop/install.ts, the desktop entry
// of src/cli/build.ts): package.json's registrations checked, the .desktop and MIME package a
// build writes, which arguments of a command line are links or files, a first start hearing its
// own (test/fixtures/deep-link/app.mjs), install/uninstall for a user in temporary XDG folders
// with the real Debian tools when installed, and the Windows registry commands with a faked runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseRegistrations, openRequestsIn, RegistrationError } from '../../src/desktop/deep-links.js';
import { installForUser, uninstallForUser, withoutApp, windowsRegistryCommands, type InstallInput } from '../../src/desktop/install.js';
import { findCommand, setCommandRunner, type CommandResult } from '../../src/desktop/command.js';
import { desktopEntry, mimePackage } from '../../src/cli/build.js';
import { builtFixture, fixture, registrations } from './deep-link-fixture.js';

const inCI = process.env.CI === 'true';

test('package.json registrations: schemes and file types checked, an own MIME type for a type without one', () => {
  assert.deepEqual(parseRegistrations(undefined, 'x'), { protocols: [], fileTypes: [] });
  assert.deepEqual(parseRegistrations({ protocols: ['MyApp', 'my-app+v2.x'], fileTypes: [{ name: ' Markdown ', extensions: ['.MD', 'markdown'], mimeType: 'text/markdown' }, { name: 'Backup', extensions: ['tar.gz'] }] }, '@acme/Notes App'), {
    protocols: ['myapp', 'my-app+v2.x'],
    fileTypes: [
      { name: 'Markdown', extensions: ['md', 'markdown'], mimeType: 'text/markdown', ownMimeType: false },
      { name: 'Backup', extensions: ['tar.gz'], mimeType: 'application/x-acme-notes-app-tar-gz', ownMimeType: true },
    ],
  });
  const bad: [unknown, RegExp][] = [
    ['nope', /"gluon" must be an object/],
    [{ protocols: 'myapp' }, /gluon.protocols must be a list of URL schemes, such as \["myapp"\]/],
    [{ protocols: ['myapp://'] }, /protocols\[0\] is "myapp:\/\/": write the scheme alone, without ':' or '\/\/' \(e.g. "myapp"\)/],
    [{ protocols: ['1app'] }, /not a URL scheme: a letter, then letters, digits/],
    [{ protocols: ['my app'] }, /not a URL scheme/],
    [{ protocols: ['c'] }, /one-letter scheme reads as a Windows drive letter/],
    [{ protocols: ['https'] }, /a scheme of the browser or the system: an app may not take it over; use one of its own, e.g. "notes"/],
    [{ protocols: ['ok', 'OK'] }, /protocols\[1\]: "OK" is listed twice/],
    [{ protocols: [3] }, /protocols\[0\] must be a string/],
    [{ fileTypes: {} }, /gluon.fileTypes must be a list/],
    [{ fileTypes: [{ extensions: ['md'] }] }, /fileTypes\[0\].name must be a one-line, non-empty string/],
    [{ fileTypes: [{ name: 'M', extensions: [] }] }, /fileTypes\[0\].extensions must be a non-empty list/],
    [{ fileTypes: [{ name: 'M', extensions: ['*.md'] }] }, /extensions\[0\] is "\*.md": an extension is letters/],
    [{ fileTypes: [{ name: 'M', extensions: ['md'] }, { name: 'N', extensions: ['MD'] }] }, /fileTypes\[1\].extensions\[0\]: ".md" is already listed/],
    [{ fileTypes: [{ name: 'M', extensions: ['md'], mimeType: 'markdown' }] }, /mimeType is "markdown", which is not a MIME type/],
  ];
  for (const [settings, message] of bad) assert.throws(() => parseRegistrations(settings, 'notes'), (error: Error) => error instanceof RegistrationError && message.test(error.message), JSON.stringify(settings));
});

test('the desktop entry: MimeType lists the schemes and file types, Exec ends with %U; the MIME package maps globs to the app\'s own types', () => {
  const text = desktopEntry({ title: 'Notes', exec: ['/opt/my apps/notes'], windowClass: 'notes', registrations });
  assert.match(text, /^Exec="\/opt\/my apps\/notes" %U$/m);
  assert.match(text, /^MimeType=x-scheme-handler\/gtsfixture;text\/markdown;application\/x-deep-link-fixture-gtsnote;$/m);
  const plain = desktopEntry({ title: 'Notes', exec: ['/opt/notes'], windowClass: 'notes', registrations: { protocols: [], fileTypes: [] } });
  assert.match(plain, /^Exec=\/opt\/notes$/m, 'an app that opens nothing takes no %U');
  assert.doesNotMatch(plain, /MimeType/);
  assert.equal(mimePackage(registrations), [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">',
    '  <mime-type type="application/x-deep-link-fixture-gtsnote">',
    '    <comment>Fixture note</comment>',
    '    <glob pattern="*.gtsnote"/>',
    '  </mime-type>',
    '</mime-info>',
    '',
  ].join('\n'));
  assert.equal(mimePackage({ protocols: ['x1'], fileTypes: [{ name: 'M', extensions: ['md'], mimeType: 'text/markdown', ownMimeType: false }] }), undefined);
  assert.match(mimePackage({ protocols: [], fileTypes: [{ name: 'A <b> & "c"', extensions: ['ab'], mimeType: 'application/x-n-ab', ownMimeType: true }] })!, /<comment>A &lt;b&gt; &amp; &quot;c&quot;<\/comment>/);
});

test('a command line\'s links and files: registered schemes as given, existing files of the types as absolute paths, flags and the rest left alone', () => {
  const exists = (path: string) => ['/home/ada/notes/a.md', '/tmp/b c.GTSNOTE', '/home/ada/notes/-dash.md', '/home/ada/notes/c.txt'].includes(path);
  const args = ['--inspect', 'gtsfixture://open?id=1&x=%20', 'GTSFixture:other', 'https://example.org', 'a.md', 'missing.md', 'c.txt', 'file:///tmp/b%20c.GTSNOTE', 'C:\\x.md', '-dash.md', '--', '-dash.md'];
  assert.deepEqual(openRequestsIn(args, '/home/ada/notes', registrations, exists), [
    { kind: 'url', url: 'gtsfixture://open?id=1&x=%20' },
    { kind: 'url', url: 'GTSFixture:other' },
    { kind: 'file', path: '/home/ada/notes/a.md' },
    { kind: 'file', path: '/tmp/b c.GTSNOTE' },
    { kind: 'file', path: '/home/ada/notes/-dash.md' },
  ]);
  assert.deepEqual(openRequestsIn(['gtsfixture://x', 'a.md'], '/', { protocols: [], fileTypes: [] }, () => true), [], 'an app that registers nothing hears nothing');
});

/** Runs the fixture app (or `app`) until it printed `count` lines (or ended); its lines. */
function runFixture(args: string[], cwd: string, env: Record<string, string>, count = 3, app = join(fixture, 'app.mjs')): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [app, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let buffer = '';
    const timer = setTimeout(() => child.kill(), 10_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        lines.push(buffer.slice(0, end));
        buffer = buffer.slice(end + 1);
      }
      if (lines.length >= count) child.stdin.end();
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(lines);
    });
  });
}

test('the first start hears its own command line, whether its handlers come before or after the lock; a later start hears none of it, the first does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gluon-links-'));
  try {
    const runtime = join(dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    writeFileSync(join(dir, 'é x.md'), '# hi');
    for (const order of ['lock-first', 'handlers-first']) {
      const lines = await runFixture(['--flag', 'gtsfixture://first?y=1', 'é x.md', 'missing.md'], dir, { XDG_RUNTIME_DIR: runtime, GLUON_TEST_ORDER: order });
      assert.deepEqual(lines.slice(1).map((line) => JSON.parse(line)), [{ url: 'gtsfixture://first?y=1' }, { path: join(dir, 'é x.md') }], order);
    }
    // A first that holds the lock; a later start whose handlers listen before it asks for the lock.
    const first = runFixture([], dir, { XDG_RUNTIME_DIR: runtime }, 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const later = await runFixture(['gtsfixture://later', 'é x.md'], tmpdir(), { XDG_RUNTIME_DIR: runtime, GLUON_TEST_ORDER: 'handlers-first', GLUON_TEST_LATER_WAIT: '300' }, 1);
    assert.deepEqual(later.map((line) => JSON.parse(line).lock), [false], 'the later start opens nothing itself');
    assert.deepEqual((await first).slice(1).map((line) => JSON.parse(line)), [{ url: 'gtsfixture://later' }], 'the first hears the link; é x.md is no file in the later start\'s folder');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gluon-ts build writes the registrations into the desktop entry and the bundle: the built app hears its links with no package.json beside it', { skip: process.platform !== 'linux' && 'the desktop entry is written on Linux' }, async () => {
  const { build } = await import('../../src/cli/build.js');
  const out = `dist-test-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'gluon-built-'));
  try {
    const result = await build({ dir: join(fixture, 'app.mjs'), out, exe: false, minify: false }, () => {});
    const entry = readFileSync(result.desktopFile!, 'utf8');
    assert.match(entry, /^Exec=\S+ \S+app\.mjs %U$/m);
    assert.match(entry, /^MimeType=x-scheme-handler\/gtsfixture;text\/markdown;application\/x-deep-link-fixture-gtsnote;$/m);
    assert.equal(readFileSync(result.mimeFile!, 'utf8'), mimePackage(registrations));
    const runtime = join(dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    writeFileSync(join(dir, 'app.mjs'), readFileSync(result.bundle));
    const lines = await runFixture(['gtsfixture://built'], dir, { XDG_RUNTIME_DIR: runtime }, 2, join(dir, 'app.mjs'));
    assert.deepEqual(lines.slice(1).map((line) => JSON.parse(line)), [{ url: 'gtsfixture://built' }]);
    // gluon-ts install/uninstall find that build (faked tools: the real ones are tested above).
    const { install, uninstall } = await import('../../src/cli/install.js');
    const ran: string[][] = [];
    const restore = setCommandRunner(async (file, args): Promise<CommandResult> => {
      ran.push([file, ...args]);
      return { code: 0, signal: null, stdout: Buffer.alloc(0), stderr: '' };
    }, (name) => `/usr/bin/${name}`);
    try {
      const place = { platform: 'linux' as const, env: { XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') }, home: dir };
      const said: string[] = [];
      await install({ dir: join(fixture, 'app.mjs'), out }, (line) => said.push(line), place);
      assert.match(said[0], /^gluon-ts install: deep-link-fixture for this user, handler of gtsfixture:\/\/$/);
      assert.equal(readFileSync(join(dir, 'data', 'applications', 'deep-link-fixture.desktop'), 'utf8'), entry);
      assert.deepEqual(ran.map((command) => command.slice(0, 2).join(' ')), ['/usr/bin/update-mime-database ' + join(dir, 'data', 'mime'), '/usr/bin/update-desktop-database ' + join(dir, 'data', 'applications'), '/usr/bin/xdg-mime default', '/usr/bin/xdg-mime default']);
      await uninstall({ dir: join(fixture, 'app.mjs'), out }, () => {}, place);
      assert.deepEqual(tree(dir).filter((path) => !path.startsWith('run/')), ['app.mjs']);
    } finally {
      restore();
    }
  } finally {
    rmSync(join(fixture, out), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every file and folder under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      out.push(relative(dir, path) + (statSync(path).isDirectory() ? '/' : ''));
      if (statSync(path).isDirectory()) walk(path);
    }
  };
  walk(dir);
  return out.sort();
}

const TOOLS = ['xdg-mime', 'update-mime-database', 'update-desktop-database'];
const missingTools = TOOLS.filter((name) => !findCommand(name));

test('install for a user (Linux): desktop entry, icon, MIME package, databases, default for the scheme and own type; uninstall removes exactly that', { skip: !inCI && missingTools.length > 0 && `not installed: ${missingTools.join(', ')} (xdg-utils, shared-mime-info, desktop-file-utils)` }, async () => {
  assert.deepEqual(missingTools, [], 'CI installs xdg-utils, shared-mime-info and desktop-file-utils (.ci/run)');
  const dir = mkdtempSync(join(tmpdir(), 'gluon-install-'));
  try {
    const data = join(dir, 'data');
    const config = join(dir, 'config');
    mkdirSync(config);
    const before = 'keep=other.desktop\n';
    writeFileSync(join(config, 'mimeapps.list'), `[Default Applications]\ntext/plain=${before.slice(5)}`);
    const place = { platform: 'linux' as const, env: { XDG_DATA_HOME: data, XDG_CONFIG_HOME: config }, home: join(dir, 'home') };
    const report = await installForUser(builtFixture(dir), place);
    assert.deepEqual(report.notes, []);
    assert.deepEqual(report.ran.map((command) => command[0]), ['update-mime-database', 'update-desktop-database', 'xdg-mime', 'xdg-mime']);
    const entry = readFileSync(join(data, 'applications', 'deep-link-fixture.desktop'), 'utf8');
    assert.match(entry, /^Icon=deep-link-fixture$/m, 'the installed entry names the icon in the theme');
    assert.equal(readFileSync(join(data, 'icons', 'hicolor', '48x48', 'apps', 'deep-link-fixture.png'), 'utf8'), 'not looked into');
    assert.match(readFileSync(join(data, 'mime', 'globs2'), 'utf8'), /application\/x-deep-link-fixture-gtsnote:\*\.gtsnote/, 'update-mime-database ran on the package');
    const cache = readFileSync(join(data, 'applications', 'mimeinfo.cache'), 'utf8');
    assert.match(cache, /^text\/markdown=deep-link-fixture.desktop;$/m, 'update-desktop-database lists the app for its types');
    const mimeapps = readFileSync(join(config, 'mimeapps.list'), 'utf8');
    assert.match(mimeapps, /^x-scheme-handler\/gtsfixture=deep-link-fixture.desktop$/m);
    assert.match(mimeapps, /^application\/x-deep-link-fixture-gtsnote=deep-link-fixture.desktop$/m);
    assert.doesNotMatch(mimeapps, /text\/markdown/, 'a type the system knows is not taken over');
    // Installing again replaces the first install.
    await installForUser(builtFixture(dir), place);
    const removed = await uninstallForUser('deep-link-fixture', place);
    assert.equal(removed.files.length, 4, removed.files.join('\n'));
    assert.deepEqual(tree(dir).filter((path) => !path.startsWith('build')), ['config/', 'config/mimeapps.list']);
    assert.equal(readFileSync(join(config, 'mimeapps.list'), 'utf8'), `[Default Applications]\ntext/plain=other.desktop\n`);
    assert.match((await uninstallForUser('deep-link-fixture', place)).notes[0], /is not installed for this user/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mimeapps.list without the app: its associations go, other apps\' stay, an emptied section goes', () => {
  const text = '[Default Applications]\nx-scheme-handler/a=me.desktop\ntext/plain=vim.desktop\n\n[Added Associations]\nx-scheme-handler/a=me.desktop;other.desktop;\ntext/x=me.desktop;\n[Removed Associations]\nimage/png=me.desktop\n';
  assert.equal(withoutApp(text, 'me.desktop'), '[Default Applications]\ntext/plain=vim.desktop\n\n[Added Associations]\nx-scheme-handler/a=other.desktop;\n');
});

test('Windows (faked runner, untried on a real machine): reg add of the scheme and file type keys under HKCU\\Software\\Classes, reg delete on uninstall', async () => {
  const input: InstallInput = { id: 'notes', title: 'Notes', exec: ['C:\\Program Files\\Notes\\notes.exe'], registrations: parseRegistrations({ protocols: ['myapp'], fileTypes: [{ name: 'Markdown', extensions: ['md'] }] }, 'notes') };
  const calls: string[][] = [];
  const restore = setCommandRunner(async (file, args): Promise<CommandResult> => {
    calls.push([file, ...args]);
    return { code: 0, signal: null, stdout: Buffer.alloc(0), stderr: '' };
  });
  try {
    const place = { platform: 'win32' as const, env: {}, home: 'C:\\Users\\ada' };
    await installForUser(input, place);
    const open = '"C:\\Program Files\\Notes\\notes.exe" "%1"';
    assert.deepEqual(calls, [
      ['reg', 'add', 'HKCU\\Software\\Classes\\myapp', '/ve', '/d', 'URL:Notes', '/f'],
      ['reg', 'add', 'HKCU\\Software\\Classes\\myapp', '/v', 'URL Protocol', '/d', '', '/f'],
      ['reg', 'add', 'HKCU\\Software\\Classes\\myapp\\shell\\open\\command', '/ve', '/d', open, '/f'],
      ['reg', 'add', 'HKCU\\Software\\Classes\\notes.md', '/ve', '/d', 'Markdown', '/f'],
      ['reg', 'add', 'HKCU\\Software\\Classes\\notes.md\\shell\\open\\command', '/ve', '/d', open, '/f'],
      ['reg', 'add', 'HKCU\\Software\\Classes\\.md\\OpenWithProgids', '/v', 'notes.md', '/t', 'REG_NONE', '/d', '', '/f'],
    ]);
    calls.length = 0;
    await uninstallForUser('notes', place, input);
    assert.deepEqual(calls, windowsRegistryCommands(input, 'uninstall'));
    assert.deepEqual(calls.map((call) => call.slice(0, 3).join(' ')), ['reg delete HKCU\\Software\\Classes\\myapp', 'reg delete HKCU\\Software\\Classes\\.md\\OpenWithProgids', 'reg delete HKCU\\Software\\Classes\\notes.md']);
  } finally {
    restore();
  }
});
