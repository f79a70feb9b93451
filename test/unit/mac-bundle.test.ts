// The macOS app bundle (src/desktop/mac-bundle.ts, cli/build.ts's writeMacBundle) and macOS
// install/uninstall (src/desktop/install.ts), untried on a real Mac: checked here by what they
// would run (a faked command runner, the exact programs and arguments) and what they write. The
// property lists are read back with the `plist` package, a parser of its own; the JXA script that
// sets the default handler runs in a VM with a stand-in for the ObjC bridge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { parse } from 'plist';
import { setCommandRunner, type CommandResult } from '../../src/desktop/command.js';
import { parseRegistrations } from '../../src/desktop/deep-links.js';
import { installForUser, SET_DEFAULT_HANDLER_SCRIPT, uninstallForUser, type InstallPlace } from '../../src/desktop/install.js';
import { bundleFolderName, bundleIdFor, icnsFromPng, infoPlistEntries, LAUNCHER_SCRIPT, MAC_TOOLS, makeMacBundle } from '../../src/desktop/mac-bundle.js';
import { plistDocument, plistFragment } from '../../src/desktop/plist.js';
import { build, writeMacBundle } from '../../src/cli/build.js';
import { builtApp } from '../../src/cli/install.js';
import { findProject } from '../../src/cli/project.js';
import { pngOf } from '../support/png.js';

const LSREGISTER = MAC_TOOLS.lsregister;
const temp = () => mkdtempSync(join(tmpdir(), 'gluon-mac-'));
/** A property list fragment (what plutil -replace -xml takes) read back as plutil would: put in a document and parsed. */
const readFragment = (fragment: string) => parse(plistDocument('').replace('<string></string>', fragment));
const ok = (): CommandResult => ({ code: 0, signal: null, stdout: Buffer.alloc(0), stderr: '' });

/** A real PNG, `size` pixels square, one colour. */
const solidPng = (size: number): Buffer => pngOf(size, size, () => 0xffc8285a);

test('property lists: strings escaped, integers, booleans, arrays and nested dictionaries read back as written', () => {
  const value = { Name: 'Notes & <Co> "x"', Count: 3, On: true, Off: false, Empty: [], Nothing: {}, List: ['a', { deep: ['b', 'é✓'] }] };
  assert.deepEqual(parse(plistDocument(value)), value);
  assert.deepEqual(parse(plistDocument({ wrapped: JSON.parse(JSON.stringify(['x', { y: 1 }])) })), { wrapped: ['x', { y: 1 }] });
  // A fragment is what plutil -replace <key> -xml takes: one value, no document around it.
  assert.equal(plistFragment(['a', 'b']), '<array>\n  <string>a</string>\n  <string>b</string>\n</array>');
  assert.throws(() => plistFragment(1.5), /whole number/);
});

test('icns: one PNG in an icns container, typed by its size; a size icns has no PNG type for is refused', () => {
  const png = solidPng(32);
  const icns = icnsFromPng(png, { width: 32, height: 32 })!;
  assert.equal(icns.toString('latin1', 0, 4), 'icns');
  assert.equal(icns.readUInt32BE(4), icns.length);
  assert.equal(icns.toString('latin1', 8, 12), 'icp5');
  assert.equal(icns.readUInt32BE(12), png.length + 8);
  assert.deepEqual(icns.subarray(16), png);
  assert.equal(icnsFromPng(solidPng(512), { width: 512, height: 512 })!.toString('latin1', 8, 12), 'ic09');
  assert.equal(icnsFromPng(png, { width: 32, height: 24 }), undefined);
  assert.equal(icnsFromPng(png, { width: 48, height: 48 }), undefined);
});

test('bundle identifier and folder: gluon.appId when given and well-formed, else one made from the app id; a title that is no file name is mended', () => {
  assert.equal(bundleIdFor('notes'), 'gluon-ts.app.notes');
  assert.equal(bundleIdFor('my_app.v2'), 'gluon-ts.app.my-app-v2');
  assert.equal(bundleIdFor('notes', 'com.example.notes'), 'com.example.notes');
  for (const bad of ['notes', 'com.example.no tes', 'com..x', 42]) assert.throws(() => bundleIdFor('notes', bad), /gluon.appId is .* write a reverse-DNS name/);
  assert.equal(bundleFolderName('Notes & Co'), 'Notes & Co.app');
  assert.equal(bundleFolderName('A/B: C'), 'A-B- C.app');
  assert.equal(bundleFolderName('..'), 'app.app');
});

const registrations = parseRegistrations({ protocols: ['notes', 'notes-beta'], fileTypes: [{ name: 'Markdown', extensions: ['md', 'markdown'], mimeType: 'text/markdown' }, { name: 'Notes board', extensions: ['board'] }] }, 'notes');

test('Info.plist entries: identity, the launcher\'s key, the schemes, the file types (a known type as an alternate, the app\'s own exported)', () => {
  // Each entry goes through plutil as an XML fragment: read back the way plutil would.
  const entries = Object.fromEntries(infoPlistEntries({ title: 'A very long product name', bundleId: 'com.example.notes', version: '1.2.3', executable: '/x/dist/notes', registrations }).map(([key, value]) => [key, readFragment(plistFragment(value))]));
  assert.deepEqual(entries, {
    CFBundleIdentifier: 'com.example.notes',
    CFBundleName: 'A very long pro',
    CFBundleDisplayName: 'A very long product name',
    CFBundleShortVersionString: '1.2.3',
    CFBundleVersion: '1.2.3',
    GluonTsExecutable: 'notes',
    CFBundleURLTypes: [{ CFBundleURLName: 'com.example.notes', CFBundleTypeRole: 'Viewer', CFBundleURLSchemes: ['notes', 'notes-beta'] }],
    CFBundleDocumentTypes: [
      { CFBundleTypeName: 'Markdown', CFBundleTypeRole: 'Editor', LSHandlerRank: 'Alternate', CFBundleTypeExtensions: ['md', 'markdown'], CFBundleTypeMIMETypes: ['text/markdown'] },
      { CFBundleTypeName: 'Notes board', CFBundleTypeRole: 'Editor', LSHandlerRank: 'Owner', CFBundleTypeExtensions: ['board'], CFBundleTypeMIMETypes: ['application/x-notes-board'], LSItemContentTypes: ['com.example.notes.board'] },
    ],
    UTExportedTypeDeclarations: [{ UTTypeIdentifier: 'com.example.notes.board', UTTypeDescription: 'Notes board', UTTypeConformsTo: ['public.data'], UTTypeTagSpecification: { 'public.filename-extension': ['board'], 'public.mime-type': ['application/x-notes-board'] } }],
  });
  const bare = infoPlistEntries({ title: 'Hello', bundleId: 'gluon-ts.app.hello', version: '0.1.0', executable: '/x/hello', registrations: { protocols: [], fileTypes: [] } });
  assert.deepEqual(bare.map(([key]) => key), ['CFBundleIdentifier', 'CFBundleName', 'CFBundleDisplayName', 'CFBundleShortVersionString', 'CFBundleVersion', 'GluonTsExecutable']);
});

/** A faked runner standing in for osacompile (it makes an applet's skeleton), plutil and codesign; `fail` makes one program fail. */
function macTools(calls: string[][], fail?: string) {
  return setCommandRunner(async (file, args): Promise<CommandResult> => {
    calls.push([file, ...args]);
    if (file === fail) return { code: 1, signal: null, stdout: Buffer.alloc(0), stderr: `${file}: no` };
    if (file === MAC_TOOLS.osacompile) {
      const app = args[args.indexOf('-o') + 1]!;
      mkdirSync(join(app, 'Contents', 'MacOS'), { recursive: true });
      mkdirSync(join(app, 'Contents', 'Resources'), { recursive: true });
      writeFileSync(join(app, 'Contents', 'Info.plist'), plistDocument({ CFBundleExecutable: 'applet', CFBundleIconFile: 'applet', CFBundlePackageType: 'APPL', CFBundleSignature: 'aplt' }));
      writeFileSync(join(app, 'Contents', 'MacOS', 'applet'), 'applet');
    }
    if (file === '/usr/bin/ditto') cpSync(args[0]!, args[1]!, { recursive: true });
    return ok();
  });
}

test('the bundle (faked tools): osacompile of the fixed launcher, one plutil -replace per entry, the icon, the executable moved in, codesign last', async () => {
  const dir = temp();
  const calls: string[][] = [];
  const restore = macTools(calls);
  try {
    const executable = join(dir, 'dist', 'notes');
    mkdirSync(join(dir, 'dist'));
    writeFileSync(executable, 'the single executable', { mode: 0o755 });
    const png = solidPng(256);
    const input = { outDir: join(dir, 'dist'), title: 'Notes & Co', bundleId: 'com.example.notes', version: '1.0.0', executable, icon: { bytes: png, width: 256, height: 256 }, registrations, workDir: join(dir, 'work') };
    const bundle = await makeMacBundle(input);
    const app = join(dir, 'dist', 'Notes & Co.app');
    const plist = join(app, 'Contents', 'Info.plist');
    assert.equal(bundle.app, app);
    assert.equal(bundle.executable, join(app, 'Contents', 'MacOS', 'notes'));
    assert.equal(readFileSync(bundle.executable, 'utf8'), 'the single executable');
    assert.equal(existsSync(executable), false);
    assert.equal(statSync(bundle.executable).mode & 0o111, 0o111);
    assert.equal(readFileSync(join(dir, 'work', 'launcher.applescript'), 'utf8'), LAUNCHER_SCRIPT);
    assert.deepEqual(readFileSync(join(app, 'Contents', 'Resources', 'applet.icns')), icnsFromPng(png, { width: 256, height: 256 }));
    assert.deepEqual(calls, [
      [MAC_TOOLS.osacompile, '-l', 'AppleScript', '-o', app, join(dir, 'work', 'launcher.applescript')],
      ...infoPlistEntries(input).map(([key, value]) => [MAC_TOOLS.plutil, '-replace', key, '-xml', plistFragment(value), plist]),
      [MAC_TOOLS.plutil, '-remove', 'CFBundleIconName', plist],
      [MAC_TOOLS.codesign, '--force', '--deep', '--sign', '-', app],
    ]);
    assert.deepEqual(bundle.notes, []);
    // The launcher: each way macOS opens an app starts the executable named in Info.plist, with no shell.
    for (const handler of ['on run', 'on open location theURL', 'on open theItems', 'objectForInfoDictionaryKey:"GluonTsExecutable"', 'NSTask', 'setArguments:theArguments']) assert.ok(LAUNCHER_SCRIPT.includes(handler), handler);
    assert.doesNotMatch(LAUNCHER_SCRIPT, /do shell script/);

    // An icon of a size icns has no PNG type for: a note, no icon written.
    calls.length = 0;
    writeFileSync(executable, 'again');
    const odd = await makeMacBundle({ ...input, icon: { bytes: solidPng(48), width: 48, height: 48 } });
    assert.match(odd.notes[0]!, /the icon is 48x48: .* square PNG of 16, 32, 64, 128, 256, 512, 1024 pixels/);
    assert.equal(existsSync(join(app, 'Contents', 'Resources', 'applet.icns')), false);
  } finally {
    restore();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bundle (faked tools): a failing step is an error naming it and its output; the executable stays where it was', async () => {
  const dir = temp();
  for (const tool of [MAC_TOOLS.osacompile, MAC_TOOLS.plutil, MAC_TOOLS.codesign]) {
    const restore = macTools([], tool);
    try {
      const executable = join(dir, 'notes');
      writeFileSync(executable, 'exe');
      await assert.rejects(makeMacBundle({ outDir: dir, title: 'Notes', bundleId: 'gluon-ts.app.notes', version: '1.0.0', executable, registrations, workDir: join(dir, 'work') }),
        new RegExp(`${tool.split('/').pop()} .*failed \\(exit 1\\): ${tool}: no`));
      assert.equal(readFileSync(executable, 'utf8'), 'exe');
    } finally {
      restore();
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A project folder with a package.json (and its icon), as `gluon-ts build` finds one. */
function project(dir: string, gluon: Record<string, unknown>): void {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'notes', productName: 'Notes & Co', version: '2.0.1', gluon }));
  writeFileSync(join(dir, 'main.js'), '');
  writeFileSync(join(dir, 'icon.png'), solidPng(128));
}

test('gluon-ts build on macOS (faked tools): the bundle from package.json (productName, version, gluon.appId, icon, schemes); install finds it', async () => {
  const dir = temp();
  const calls: string[][] = [];
  const restore = macTools(calls);
  try {
    project(dir, { appId: 'com.example.notes', icon: 'icon.png', protocols: ['notes'], fileTypes: [{ name: 'Notes board', extensions: ['board'] }] });
    const outDir = join(dir, 'dist');
    mkdirSync(outDir);
    writeFileSync(join(outDir, 'notes'), 'exe');
    const lines: string[] = [];
    const made = await writeMacBundle(findProject(dir), outDir, { bundle: join(outDir, 'app.mjs'), executable: join(outDir, 'notes') }, (line) => lines.push(line));
    const app = join(outDir, 'Notes & Co.app');
    assert.deepEqual(made, { appBundle: app, executable: join(app, 'Contents', 'MacOS', 'notes') });
    assert.match(lines.join('\n'), /Notes & Co\.app\/ +macOS app bundle \(com\.example\.notes\), the executable inside, opens notes:\/\/ \.board/);
    const replaced = Object.fromEntries(calls.filter((call) => call[1] === '-replace').map((call) => [call[2], readFragment(call[4]!)]));
    assert.equal(replaced.CFBundleIdentifier, 'com.example.notes');
    assert.equal(replaced.CFBundleShortVersionString, '2.0.1');
    assert.deepEqual(replaced.CFBundleURLTypes, [{ CFBundleURLName: 'com.example.notes', CFBundleTypeRole: 'Viewer', CFBundleURLSchemes: ['notes'] }]);
    assert.equal(readFileSync(join(app, 'Contents', 'Resources', 'applet.icns')).toString('latin1', 8, 12), 'ic07');

    const input = builtApp({ dir }, 'darwin');
    assert.equal(input.appBundle, app);
    assert.equal(input.bundleId, 'com.example.notes');
    assert.deepEqual(input.exec, [join(app, 'Contents', 'MacOS', 'notes')]);

    // A bad appId stops the build, saying what to write; no bundle, no build to install.
    project(dir, { appId: 'notes' });
    await assert.rejects(writeMacBundle(findProject(dir), outDir, { bundle: join(outDir, 'app.mjs'), executable: join(outDir, 'x') }, () => {}), /gluon.appId is "notes": write a reverse-DNS name/);
    rmSync(app, { recursive: true });
    project(dir, {});
    assert.throws(() => builtApp({ dir }, 'darwin'), /no app bundle .*Notes & Co\.app: run gluon-ts build on macOS/);
  } finally {
    restore();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad gluon.appId stops gluon-ts build on any platform, before anything is built', async () => {
  // Inside the repository, so the project finds the repository's esbuild as an app finds its own.
  const dir = mkdtempSync(join(fileURLToPath(new URL('../../', import.meta.url)), 'tmp-appid-'));
  try {
    project(dir, { appId: 'com.example.no tes' });
    await assert.rejects(build({ dir, exe: false, minify: false }, () => {}), /gluon.appId is "com.example.no tes": write a reverse-DNS name/);
    assert.equal(existsSync(join(dir, 'dist')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('install and uninstall on macOS (faked tools): ditto into ~/Applications, lsregister, the default handler of the schemes; uninstall takes exactly that back', async () => {
  const home = temp();
  const calls: string[][] = [];
  const restore = macTools(calls);
  try {
    const built = join(home, 'build', 'Notes.app');
    mkdirSync(join(built, 'Contents', 'MacOS'), { recursive: true });
    writeFileSync(join(built, 'Contents', 'Info.plist'), plistDocument({ CFBundleIdentifier: 'com.example.notes' }));
    const place: InstallPlace = { platform: 'darwin', env: {}, home };
    const input = { id: 'notes', title: 'Notes', exec: [join(built, 'Contents', 'MacOS', 'notes')], appBundle: built, bundleId: 'com.example.notes', registrations };
    const app = join(home, 'Applications', 'Notes.app');
    const record = join(home, 'Library', 'Application Support', 'gluon-ts', 'installed', 'notes.json');
    const report = await installForUser(input, place);
    assert.deepEqual(calls, [
      ['/usr/bin/ditto', built, app],
      [LSREGISTER, '-f', app],
      ['/usr/bin/osascript', '-l', 'JavaScript', '-e', SET_DEFAULT_HANDLER_SCRIPT, 'com.example.notes', 'notes', 'notes-beta'],
    ]);
    assert.deepEqual(report.files, [app, record]);
    assert.deepEqual(report.notes, []);
    assert.ok(existsSync(join(app, 'Contents', 'Info.plist')));

    // Installing again replaces the earlier install (unregistered first).
    calls.length = 0;
    await installForUser(input, place);
    assert.deepEqual(calls.map((call) => call.slice(0, 2)), [[LSREGISTER, '-u'], ['/usr/bin/ditto', built], [LSREGISTER, '-f'], ['/usr/bin/osascript', '-l']]);

    calls.length = 0;
    const removed = await uninstallForUser('notes', place);
    assert.deepEqual(calls, [[LSREGISTER, '-u', app]]);
    assert.deepEqual(removed.files, [app, record]);
    assert.equal(existsSync(app), false);
    assert.equal(existsSync(join(home, 'Applications')), false, 'install made ~/Applications, so uninstall removes it');
    assert.equal(existsSync(join(home, 'Library', 'Application Support', 'gluon-ts')), false);
    assert.match((await uninstallForUser('notes', place)).notes[0]!, /notes is not installed for this user/);

    // An app of that name that install did not put there is not overwritten.
    mkdirSync(app, { recursive: true });
    await assert.rejects(installForUser(input, place), /Notes\.app is there already, and gluon-ts did not put it there/);
    // A failing default-handler script is a note, not a failed install.
    rmSync(app, { recursive: true });
    restore();
    const again = macTools([], '/usr/bin/osascript');
    try {
      assert.match((await installForUser(input, place)).notes[0]!, /not made the default handler of notes:\/\/ notes-beta:\/\/: \/usr\/bin\/osascript: no; it still handles them/);
    } finally {
      again();
    }
  } finally {
    restore();
    rmSync(home, { recursive: true, force: true });
  }
});

test('the default-handler script (JXA) sets each scheme for the bundle id, and throws naming those that failed', () => {
  const run = (argv: string[], status: (scheme: string) => number) => {
    const set: string[][] = [];
    const context = {
      ObjC: { import: (name: string) => assert.equal(name, 'CoreServices') },
      $: Object.assign((text: string) => ({ ns: text }), {
        LSSetDefaultHandlerForURLScheme: (scheme: { ns: string }, bundle: { ns: string }) => {
          set.push([scheme.ns, bundle.ns]);
          return status(scheme.ns);
        },
      }),
    };
    runInNewContext(`${SET_DEFAULT_HANDLER_SCRIPT}\nrun(argv);`, { ...context, argv });
    return set;
  };
  assert.deepEqual(run(['com.example.notes', 'notes', 'notes-beta'], () => 0), [['notes', 'com.example.notes'], ['notes-beta', 'com.example.notes']]);
  assert.throws(() => run(['com.example.notes', 'notes', 'notes-beta'], (scheme) => (scheme === 'notes' ? -10814 : 0)), /not made the default handler of notes \(OSStatus -10814\)/);
});
