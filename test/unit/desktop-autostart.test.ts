// Gluon.autostart (src/desktop/autostart.ts): on Linux for real, with XDG_CONFIG_HOME in a
// temporary folder (the entry written, parsed back, its Exec line unquoted per the Desktop Entry
// spec); the macOS launch agent's text; the Windows Run key through reg.exe with a faked runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parsePlist } from 'plist';
import { autostart, disableAt, enableAt, isEnabledAt, launchAgentPlist, RUN_KEY, windowsCommandLine, type AutostartPlace } from '../../src/desktop/autostart.js';
import { setCommandRunner } from '../../src/desktop/command.js';

/** An Exec value read back as the spec says: string-value escapes first, then the quoting. */
function execArgv(value: string): string[] {
  const unescaped = value.replace(/\\(.)/g, (_, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] ?? `\\${c}`);
  const argv: string[] = [];
  for (const match of unescaped.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    argv.push(match[1] !== undefined ? match[1].replace(/\\(["`$\\])/g, '$1') : match[2]!);
  }
  return argv.map((arg) => arg.replace(/%%/g, '%'));
}

/** A desktop entry as key → value (its [Desktop Entry] group). */
const parseEntry = (text: string) => {
  const lines = text.trim().split('\n');
  assert.equal(lines[0], '[Desktop Entry]');
  return Object.fromEntries(lines.slice(1).map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
};

test('Linux: enable writes $XDG_CONFIG_HOME/autostart/<app>.desktop starting this very command; disable removes it', async () => {
  const config = mkdtempSync(join(tmpdir(), 'gluon-ts-autostart-'));
  const saved = process.env.XDG_CONFIG_HOME;
  process.env.XDG_CONFIG_HOME = config;
  try {
    assert.equal(await autostart.isEnabled(), false);
    const args = ['--open', 'a file "x" $HOME `y` \\ 100%.txt', 'é 😀'];
    await autostart.enable({ args, hidden: true });
    assert.equal(await autostart.isEnabled(), true);
    // The app's name is the nearest package.json's: this repository's.
    const file = join(config, 'autostart', 'gluon-ts.desktop');
    const entry = parseEntry(readFileSync(file, 'utf8'));
    assert.deepEqual({ ...entry, Exec: undefined }, { Type: 'Application', Name: 'gluon-ts', Exec: undefined, Terminal: 'false', 'X-GNOME-Autostart-enabled': 'true' });
    assert.deepEqual(execArgv(entry.Exec!), [process.execPath, resolve(process.argv[1]!), ...args, '--hidden']);
    // Turned off in the desktop's settings, which keep the file.
    writeFileSync(file, readFileSync(file, 'utf8').replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'));
    assert.equal(await autostart.isEnabled(), false);
    await autostart.enable();
    assert.deepEqual(execArgv(parseEntry(readFileSync(file, 'utf8')).Exec!), [process.execPath, resolve(process.argv[1]!)]);
    await autostart.disable();
    assert.equal(await autostart.isEnabled(), false);
    await autostart.disable(); // nothing to remove: fine
    await assert.rejects(autostart.enable({ args: 'x' as unknown as string[] }), /options.args must be an array of strings/);
  } finally {
    if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = saved;
    rmSync(config, { recursive: true, force: true });
  }
});

test('macOS: a launch agent in ~/Library/LaunchAgents, every argument XML-escaped', async () => {
  const home = mkdtempSync(join(tmpdir(), 'gluon-ts-autostart-home-'));
  const place: AutostartPlace = { platform: 'darwin', env: {}, home, name: '@acme/notes', command: ['/Applications/Notes & Co.app/Contents/MacOS/notes'] };
  const restore = setCommandRunner(async () => assert.fail('nothing is run on macOS'));
  try {
    await enableAt(place, { args: ['<a href="x">'], hidden: true });
    assert.equal(await isEnabledAt(place), true);
    const plist = readFileSync(join(home, 'Library', 'LaunchAgents', 'acme-notes.plist'), 'utf8');
    assert.equal(plist, launchAgentPlist('acme-notes', ['/Applications/Notes & Co.app/Contents/MacOS/notes', '<a href="x">', '--hidden']));
    assert.equal(
      plist,
      `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>acme-notes</string>
  <key>ProgramArguments</key>
  <array>
    <string>/Applications/Notes &amp; Co.app/Contents/MacOS/notes</string>
    <string>&lt;a href=&quot;x&quot;&gt;</string>
    <string>--hidden</string>
  </array>
  <key>RunAtLoad</key>
  <true/>
</dict>
</plist>
`,
    );
    // Read back by a property-list parser of its own.
    assert.deepEqual(parsePlist(plist), { Label: 'acme-notes', ProgramArguments: ['/Applications/Notes & Co.app/Contents/MacOS/notes', '<a href="x">', '--hidden'], RunAtLoad: true });
    await disableAt(place);
    assert.equal(await isEnabledAt(place), false);
  } finally {
    restore();
    rmSync(home, { recursive: true, force: true });
  }
});

test('Windows: reg add/query/delete of the Run key, the command line quoted for CommandLineToArgvW', async () => {
  const calls: string[][] = [];
  let code = 0;
  const restore = setCommandRunner(async (file, args) => {
    calls.push([file, ...args]);
    return { code, signal: null, stdout: Buffer.alloc(0), stderr: code ? 'ERROR: The system was unable to find the specified registry key or value.' : '' };
  });
  const place: AutostartPlace = { platform: 'win32', env: {}, home: 'C:\\Users\\ada', name: 'notes', command: ['C:\\Program Files\\nodejs\\node.exe', 'C:\\apps\\notes\\main.mjs'] };
  try {
    await enableAt(place, { args: ['say "hi"', 'C:\\dir with space\\'] });
    assert.equal(await isEnabledAt(place), true);
    await disableAt(place);
    code = 1; // not there
    assert.equal(await isEnabledAt(place), false);
    await disableAt(place);
    code = 5; // access denied
    await assert.rejects(isEnabledAt(place), /reg query failed \(5\)/);
  } finally {
    restore();
  }
  const line = '"C:\\Program Files\\nodejs\\node.exe" C:\\apps\\notes\\main.mjs "say \\"hi\\"" "C:\\dir with space\\\\"';
  assert.equal(windowsCommandLine([...place.command, 'say "hi"', 'C:\\dir with space\\']), line);
  assert.equal(RUN_KEY, 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run');
  const query = ['reg', 'query', RUN_KEY, '/v', 'notes'];
  const remove = ['reg', 'delete', RUN_KEY, '/v', 'notes', '/f'];
  assert.deepEqual(calls, [['reg', 'add', RUN_KEY, '/v', 'notes', '/t', 'REG_SZ', '/d', line, '/f'], query, remove, query, remove, query]);
});
