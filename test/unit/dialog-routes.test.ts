// Gluon.dialog's route choice on every OS, and the macOS, Windows and kdialog routes by what they
// would run (a fake command runner): the exact program and arguments, the app's strings only in
// argv or the environment, never in script text; answers parsed; failures rejected clearly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setCommandRunner, type CommandOptions, type CommandResult } from '../../src/desktop/command.js';
import { dialog, dialogRoutes, messageBoxIn, openDialogIn, saveDialogIn, type DialogEnvironment, type DialogParent } from '../../src/desktop/dialog.js';
import { findX11Window, pickWindow, type X11Window } from '../../src/desktop/x11-window.js';

const TRICKY = 'He said "hi" & \'bye\'; $(rm -rf ~) `x` \\ é 日本\nline2';

interface Ran {
  file: string;
  args: readonly string[];
  options?: CommandOptions;
}

/** Replaces the runner with one that records each run and answers the next of `answers`. */
function fakeRunner(answers: Partial<CommandResult>[]) {
  const ran: Ran[] = [];
  const restore = setCommandRunner(async (file, args, options) => {
    ran.push({ file, args, options });
    const answer = answers.shift() ?? {};
    return { code: 0, signal: null, stderr: '', ...answer, stdout: answer.stdout ?? Buffer.alloc(0) };
  });
  return { ran, restore };
}

const out = (text: string) => ({ stdout: Buffer.from(text, 'utf8') });
const env = (platform: NodeJS.Platform, found: Record<string, string>, extra: Partial<DialogEnvironment> = {}): DialogEnvironment => ({
  platform,
  env: { DISPLAY: ':0' },
  findCommand: (name) => found[name],
  hasSessionBus: false,
  ...extra,
});

test('route choice: the portal, zenity, kdialog on Linux; osascript on macOS; PowerShell on Windows', () => {
  const all = { zenity: '/usr/bin/zenity', kdialog: '/usr/bin/kdialog', osascript: '/usr/bin/osascript', powershell: 'C:\\W\\powershell.exe', pwsh: 'C:\\P\\pwsh.exe' };
  assert.deepEqual(dialogRoutes('file', env('linux', all, { hasSessionBus: true })), [{ route: 'portal' }, { route: 'zenity', command: '/usr/bin/zenity' }, { route: 'kdialog', command: '/usr/bin/kdialog' }]);
  assert.deepEqual(dialogRoutes('message', env('linux', all, { hasSessionBus: true })).map((r) => r.route), ['zenity', 'kdialog']);
  assert.deepEqual(dialogRoutes('file', env('freebsd', { kdialog: '/k' }, { env: {} })), [
    { route: 'portal', unusable: 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)' },
    { route: 'zenity', unusable: 'not installed (Debian/Ubuntu: apt-get install zenity)' },
    { route: 'kdialog', command: '/k', unusable: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' },
  ]);
  assert.deepEqual(dialogRoutes('file', env('linux', all, { env: { WAYLAND_DISPLAY: 'wayland-0' } }))[1], { route: 'zenity', command: '/usr/bin/zenity' });
  assert.deepEqual(dialogRoutes('file', env('darwin', all)), [{ route: 'osascript', command: '/usr/bin/osascript' }]);
  assert.deepEqual(dialogRoutes('message', env('win32', all)), [{ route: 'powershell', command: 'C:\\W\\powershell.exe' }]);
  assert.deepEqual(dialogRoutes('message', env('win32', { pwsh: 'C:\\P\\pwsh.exe' })), [{ route: 'powershell', command: 'C:\\P\\pwsh.exe' }]);
});

test('none available: the error names each route tried, why not, and what to install', async () => {
  const nothing = env('linux', {}, { env: {} });
  await assert.rejects(openDialogIn(nothing, {}), {
    name: 'NoDialogToolError',
    message:
      'no dialog tool: tried the XDG desktop portal (no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)), zenity (not installed (Debian/Ubuntu: apt-get install zenity)), kdialog (not installed (Debian/Ubuntu: apt-get install kdialog)); install zenity (Debian/Ubuntu: apt-get install zenity; Fedora: dnf install zenity) or kdialog, or run an XDG desktop portal with a file chooser backend (xdg-desktop-portal-gtk, -gnome or -kde)',
  });
  await assert.rejects(messageBoxIn(env('darwin', {}), { message: 'x' }), /no dialog tool: tried osascript \(not installed \(it is part of macOS/);
  await assert.rejects(saveDialogIn(env('win32', {}), {}), /no dialog tool: tried PowerShell \(not installed/);
});

test('macOS: osascript with a fixed AppleScript; every string of the app is an argument', async (t) => {
  const { ran, restore } = fakeRunner([out('ok\0/Users/u/a "b" é/\0/Users/u/new\nline.md\n'), out('canceled\n'), out('ok\0/Users/u/x.txt\n'), out('ok\0Don\'t Save\n'), out('canceled\n')]);
  t.after(restore);
  const mac = env('darwin', { osascript: '/usr/bin/osascript' });
  const picked = await openDialogIn(mac, { title: TRICKY, defaultPath: '/nonexistent/start/file.md', filters: [{ name: TRICKY, extensions: ['md', 'txt'] }], properties: ['multiSelections', 'showHiddenFiles'] });
  assert.deepEqual(picked, { canceled: false, filePaths: ['/Users/u/a "b" é', '/Users/u/new\nline.md'] });
  assert.equal(ran[0]!.file, '/usr/bin/osascript');
  assert.equal(ran[0]!.args[0], '-e');
  const script = ran[0]!.args[1]!.split('\n');
  assert.deepEqual([script[0], script.at(-1)], ['on run argv', 'end run']);
  assert.equal(script[2], '    set picked to choose file with prompt (item 1 of argv) of type (items 4 thru -1 of argv) default location (POSIX file (item 2 of argv)) with invisibles with multiple selections allowed');
  assert.ok(script.includes('  on error number -128') && script.includes('    return "canceled"'), 'a cancel answers "canceled"');
  assert.deepEqual(ran[0]!.args.slice(2), [TRICKY, '/nonexistent/start', 'file.md', 'md', 'txt']);
  assert.deepEqual(await openDialogIn(mac, { properties: ['openDirectory'] }), { canceled: true, filePaths: [] });
  assert.match(ran[1]!.args[1]!, /set picked to choose folder\n/);
  assert.deepEqual(await saveDialogIn(mac, { message: TRICKY, defaultPath: '/nonexistent/d/name "q".txt' }), { canceled: false, filePath: '/Users/u/x.txt' });
  assert.match(ran[2]!.args[1]!, /set picked to choose file name with prompt \(item 1 of argv\) default name \(item 3 of argv\) default location \(POSIX file \(item 2 of argv\)\)\n/);
  assert.deepEqual(ran[2]!.args.slice(2), [TRICKY, '/nonexistent/d', 'name "q".txt']);
  const buttons = ['Save', "Don't Save", 'Cancel'];
  assert.deepEqual(await messageBoxIn(mac, { type: 'warning', message: TRICKY, detail: TRICKY, buttons, defaultId: 0 }), { response: 1, checkboxChecked: false });
  assert.match(ran[3]!.args[1]!, /display alert \(item 1 of argv\) message \(item 2 of argv\) as warning buttons \(items 3 thru -1 of argv\) default button 1 cancel button 3\n/);
  assert.deepEqual(ran[3]!.args.slice(2), [TRICKY, TRICKY, ...buttons]);
  assert.deepEqual(await messageBoxIn(mac, { message: 'm', buttons, cancelId: 1 }), { response: 1, checkboxChecked: false });
  for (const { args } of ran) assert.ok(!args[1]!.includes('é') && !args[1]!.includes('said'), 'no app string in the script');
  await assert.rejects(messageBoxIn(mac, { message: 'm', buttons: ['1', '2', '3', '4'] }), /at most 3 buttons, 4 were asked for/);
});

test('Windows: PowerShell with a fixed script (-EncodedCommand); the app\'s strings come as JSON in GLUON_DIALOG', async (t) => {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const { ran, restore } = fakeRunner([out(`ok\r\n${b64('C:\\Users\\u\\a "b" é.txt')}\r\n${b64('C:\\Users\\u\\日本.md')}\r\n`), out('canceled'), out(`ok\n${b64('D:\\x y.txt')}`), out('2'), out('-1')]);
  t.after(restore);
  const win = env('win32', { powershell: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' });
  const picked = await openDialogIn(win, { title: TRICKY, defaultPath: 'C:\\nonexistent\\x.md', filters: [{ name: 'Mark|down', extensions: ['md'] }, { name: 'All', extensions: ['*'] }], properties: ['multiSelections'] });
  assert.deepEqual(picked, { canceled: false, filePaths: ['C:\\Users\\u\\a "b" é.txt', 'C:\\Users\\u\\日本.md'] });
  const [first] = ran;
  assert.equal(first!.file, 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  assert.deepEqual(first!.args.slice(0, 6), ['-NoProfile', '-NonInteractive', '-STA', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
  assert.equal(first!.args.length, 7);
  const script = (run: Ran) => Buffer.from(run.args[6]!, 'base64').toString('utf16le');
  assert.match(script(first!), /\$o = \$env:GLUON_DIALOG \| ConvertFrom-Json/);
  assert.match(script(first!), /New-Object System\.Windows\.Forms\.OpenFileDialog/);
  const sent = JSON.parse(first!.options!.env!.GLUON_DIALOG!);
  assert.equal(sent.title, TRICKY);
  assert.equal(sent.filter, 'Mark down|*.md|All|*');
  assert.equal(sent.multiple, true);
  assert.equal(sent.directory, false);
  assert.equal(sent.name, 'x.md');
  assert.deepEqual(await openDialogIn(win, { properties: ['openDirectory'] }), { canceled: true, filePaths: [] });
  assert.equal(JSON.parse(ran[1]!.options!.env!.GLUON_DIALOG!).directory, true);
  assert.deepEqual(await saveDialogIn(win, { title: TRICKY }), { canceled: false, filePath: 'D:\\x y.txt' });
  assert.match(script(ran[2]!), /SaveFileDialog/);
  assert.deepEqual(await messageBoxIn(win, { message: TRICKY, detail: 'more', buttons: ['A', 'B', 'Cancel'], type: 'error' }), { response: 2, checkboxChecked: false });
  assert.deepEqual(JSON.parse(ran[3]!.options!.env!.GLUON_DIALOG!), { title: '', text: `${TRICKY}\n\nmore`, type: 'error', buttons: ['A', 'B', 'Cancel'], defaultId: 0, cancelId: 2 });
  assert.deepEqual(await messageBoxIn(win, { message: 'closed', buttons: ['Yes', 'No'] }), { response: 1, checkboxChecked: false }, 'closed: cancelId, "No" by default');
  for (const run of ran) assert.ok(!script(run).includes('é') && !script(run).includes('said') && !script(run).includes('closed'), 'no app string in the script');
});

test('kdialog: arguments, answers, and at most three buttons', async (t) => {
  const { ran, restore } = fakeRunner([out('/home/u/a b\n/home/u/c\n'), { code: 1 }, out('/home/u/s é.txt\n'), { code: 2 }, { code: 1 }]);
  t.after(restore);
  const kde = env('linux', { kdialog: '/usr/bin/kdialog' });
  assert.deepEqual(await openDialogIn(kde, { title: TRICKY, defaultPath: '/nonexistent/d/', filters: [{ name: 'Text', extensions: ['txt', 'md'] }], properties: ['multiSelections'] }), { canceled: false, filePaths: ['/home/u/a b', '/home/u/c'] });
  assert.deepEqual(ran[0]!.args, ['--title', TRICKY, '--getopenfilename', '/nonexistent/d', '*.txt *.md|Text', '--multiple', '--separate-output']);
  assert.deepEqual(await openDialogIn(kde, { properties: ['openDirectory'], defaultPath: '/nonexistent/x' }), { canceled: true, filePaths: [] });
  assert.deepEqual(ran[1]!.args, ['--getexistingdirectory', '/nonexistent/x']);
  assert.deepEqual(await saveDialogIn(kde, { defaultPath: '/nonexistent/n.txt' }), { canceled: false, filePath: '/home/u/s é.txt' });
  assert.deepEqual(ran[2]!.args, ['--getsavefilename', '/nonexistent/n.txt', '']);
  assert.deepEqual(await messageBoxIn(kde, { type: 'warning', message: 'm', detail: 'd', buttons: ['Save', 'Discard', 'Cancel'] }), { response: 2, checkboxChecked: false });
  assert.deepEqual(ran[3]!.args, ['--warningyesnocancel', 'm\n\nd', '--yes-label', 'Save', '--no-label', 'Discard', '--cancel-label', 'Cancel']);
  assert.deepEqual(await messageBoxIn(kde, { message: 'm' }), { response: 0, checkboxChecked: false }, 'one button, closed: cancelId 0');
  await assert.rejects(messageBoxIn(kde, { message: 'm', buttons: ['1', '2', '3', '4'] }), /kdialog shows at most 3 buttons/);
});

test('zenity: the arguments, a UTF-8 locale when the process has none, and paths split back exactly', async (t) => {
  const { ran, restore } = fakeRunner([out('/a/b c/.//x/new\nline/.//é 日本\n/.//r\n'), out('/s/q "x"\n\n'), out('Later__\n'), { code: 1 }, { code: 0 }]);
  t.after(restore);
  const linux = env('linux', { zenity: '/usr/bin/zenity' }, { env: { DISPLAY: ':0', LANG: 'C' } });
  const picked = await openDialogIn(linux, { title: TRICKY, defaultPath: '/nonexistent/f.md', filters: [{ name: 'A|B', extensions: ['md', '*'] }], properties: ['multiSelections'] });
  assert.deepEqual(picked, { canceled: false, filePaths: ['/a/b c', '/x/new\nline', '/é 日本\n', '/r'] });
  assert.equal(ran[0]!.file, '/usr/bin/zenity');
  assert.deepEqual(ran[0]!.args, ['--file-selection', `--title=${TRICKY}`, '--filename=/nonexistent/f.md', '--file-filter=A B | *.md *', '--multiple', '--separator=/./']);
  assert.deepEqual(ran[0]!.options!.env, { LC_ALL: 'C.UTF-8' });
  assert.deepEqual(await saveDialogIn(linux, { defaultPath: '/nonexistent/' }), { canceled: false, filePath: '/s/q "x"\n' });
  assert.deepEqual(ran[1]!.args, ['--file-selection', '--filename=/nonexistent/', '--save', '--confirm-overwrite']);
  const buttons = ['Now', 'Later_', 'Cancel'];
  assert.deepEqual(await messageBoxIn(linux, { type: 'question', title: 'T', message: 'm', detail: 'd', buttons }), { response: 1, checkboxChecked: false });
  assert.deepEqual(ran[2]!.args, ['--question', '--no-markup', '--title=T', '--text=m\n\nd', '--switch', '--extra-button=Now', '--extra-button=Later__', '--extra-button=Cancel']);
  assert.deepEqual(await messageBoxIn(linux, { type: 'warning', message: 'm', buttons }), { response: 2, checkboxChecked: false }, 'dismissed: cancelId');
  assert.deepEqual(ran[3]!.args, ['--warning', '--no-markup', '--text=m', '--ok-label=Now', '--extra-button=Later__', '--extra-button=Cancel']);
  assert.deepEqual(await messageBoxIn(linux, { type: 'error', message: 'm' }), { response: 0, checkboxChecked: false });
  assert.deepEqual(ran[4]!.args, ['--error', '--no-markup', '--text=m', '--ok-label=OK']);
});

test('a tool that fails or answers nonsense rejects with what happened; nothing is thrown elsewhere', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));
  const garbage = { code: 5, stdout: Buffer.from([0xff, 0xfe, 0x00, 0x41]), stderr: 'Gtk-WARNING: cannot open display\nsegfault at 0x0\n' };
  const { restore } = fakeRunner([garbage, garbage, { stdout: Buffer.from('relative/path\n') }, garbage, { stdout: Buffer.from('nonsense') }, garbage, { stdout: Buffer.from('ok\n%%%') }, { stdout: Buffer.from('7') }, { code: 0, stdout: Buffer.from('Maybe\n') }]);
  t.after(restore);
  const linux = env('linux', { zenity: '/usr/bin/zenity' });
  await assert.rejects(openDialogIn(linux, {}), { message: 'zenity dialog failed (exit code 5): Gtk-WARNING: cannot open display / segfault at 0x0' });
  await assert.rejects(messageBoxIn(linux, { message: 'm', buttons: ['A', 'B'] }), /^Error: zenity dialog failed \(exit code 5\)/);
  await assert.rejects(saveDialogIn(linux, {}), /zenity dialog failed \(it answered "relative\/path", which is not an absolute path\)/);
  const mac = env('darwin', { osascript: '/usr/bin/osascript' });
  await assert.rejects(openDialogIn(mac, {}), /osascript dialog failed \(exit code 5\)/);
  await assert.rejects(saveDialogIn(mac, {}), /osascript dialog failed \(it answered "nonsense"\)/);
  const win = env('win32', { powershell: 'powershell.exe' });
  await assert.rejects(openDialogIn(win, {}), /PowerShell dialog failed \(exit code 5\)/);
  await assert.rejects(saveDialogIn(win, {}), /PowerShell dialog failed \(it answered "ok\\n%%%"\)/);
  await assert.rejects(messageBoxIn(win, { message: 'm' }), /PowerShell dialog failed \(it answered "7"\)/);
  await assert.rejects(messageBoxIn(linux, { message: 'm', buttons: ['A', 'B'] }), /zenity dialog failed \(it answered "Maybe", which is not one of the buttons\)/);
  // A tool that cannot be started at all (the runner rejects) rejects the dialog the same way.
  restore();
  const gone = setCommandRunner(async () => Promise.reject(new Error('zenity could not be started: spawn zenity ENOENT')));
  t.after(gone);
  await assert.rejects(openDialogIn(linux, {}), /zenity could not be started/);
  // Options that make no sense are refused before anything runs.
  await assert.rejects(messageBoxIn(linux, { message: 'm', buttons: ['A'], defaultId: 3 }), /defaultId must be the index of a button \(0 to 0\), got 3/);
  await assert.rejects(openDialogIn(linux, { filters: [{ name: 'x', extensions: 'md' as unknown as string[] }] }), /filters\[0\] must be/);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(unhandled, []);
});

test('a dialog given the app window is attached to its X11 window: zenity --attach and --modal, kdialog --attach', async (t) => {
  const { ran, restore } = fakeRunner([out('/a\n'), { code: 0 }, out('/k\n'), { code: 0 }]);
  t.after(restore);
  const xid = 0x1e00007;
  const zenity = env('linux', { zenity: '/usr/bin/zenity' }, { env: { DISPLAY: ':0', LANG: 'C.UTF-8' } });
  await openDialogIn(zenity, { title: 'T' }, xid);
  assert.deepEqual(ran[0]!.args, ['--file-selection', `--attach=${xid}`, '--modal', '--title=T']);
  await messageBoxIn(zenity, { type: 'info', message: 'm' }, xid);
  assert.deepEqual(ran[1]!.args, ['--info', '--no-markup', `--attach=${xid}`, '--modal', '--text=m', '--ok-label=OK']);
  const kde = env('linux', { kdialog: '/usr/bin/kdialog' });
  await saveDialogIn(kde, { defaultPath: '/nonexistent/n.txt' }, xid);
  assert.deepEqual(ran[2]!.args, ['--attach', String(xid), '--getsavefilename', '/nonexistent/n.txt', '']);
  await messageBoxIn(kde, { message: 'm' }, xid);
  assert.deepEqual(ran[3]!.args, ['--attach', String(xid), '--msgbox', 'm', '--ok-label', 'OK']);
});

test('the app window\'s X11 window: the one of the browser\'s process showing the page\'s title, else the active one, never a guess', () => {
  const windows: X11Window[] = [
    { id: 1, pid: 100, name: 'Notes' },
    { id: 2, pid: 100, name: 'Notes — Mozilla Firefox' },
    { id: 3, pid: 100, name: 'Settings' },
    { id: 4, pid: 200, name: 'Notes' },
    { id: 5, pid: 100 },
    { id: 6 },
  ];
  assert.equal(pickWindow(windows, { pid: 100, title: 'Settings' }), 3);
  assert.equal(pickWindow(windows, { pid: 200, title: 'Notes' }), 4, 'another process\'s window of the same title is not ours');
  assert.equal(pickWindow(windows, { pid: 100, title: 'Notes' }), undefined, 'two windows show the title and neither is active: no guess');
  assert.equal(pickWindow(windows, { pid: 100, title: 'Notes' }, 2), 2, 'the active one of them');
  assert.equal(pickWindow(windows, { pid: 100, title: 'Notes' }, 3), undefined, 'the active window does not show the title');
  assert.equal(pickWindow(windows, { pid: 100 }, 3), 3, 'no title: the active window of the process');
  assert.equal(pickWindow(windows, { pid: 100 }), undefined, 'no title, none active, several: no guess');
  assert.equal(pickWindow(windows, { pid: 300, title: 'Notes' }), undefined, 'a headless window has none');
  assert.equal(pickWindow([{ id: 9, pid: 100, name: 'localhost:1234' }], { pid: 100, title: '' }), 9, 'one window of the process, with no title to match');
});

test('dialog.showOpenDialog(window, options) checks its window; without a display the dialog is shown unattached', async () => {
  await assert.rejects(dialog.showOpenDialog({} as DialogParent, {}), /the first of two arguments must be the app's window/);
  assert.equal(await findX11Window({ pid: process.pid, title: 'x' }, {}), undefined, 'no DISPLAY: no X11 window');
  assert.equal(await findX11Window({ pid: process.pid, title: 'x' }, { DISPLAY: ':2147' }), undefined, 'a display that is not there: none, and no error');
});
