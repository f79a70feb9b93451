// Gluon.dialog through the XDG desktop portal: a fake org.freedesktop.portal.Desktop (dbus-next)
// on a private session bus sees what a real portal would be sent and answers with file:// URIs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dbus from 'dbus-next';
import { closeSessionBus } from '../../src/desktop/dbus.js';
import { messageBoxIn, openDialogIn, saveDialogIn, type DialogEnvironment } from '../../src/desktop/dialog.js';
import { busMissing as privateBusMissing, startBus as startPrivateBus } from './private-bus.js';

const { Message, Variant } = dbus;
const PORTAL = 'org.freedesktop.portal.Desktop';
const PORTAL_PATH = '/org/freedesktop/portal/desktop';
const CHOOSER = 'org.freedesktop.portal.FileChooser';

interface Call {
  method: string;
  /** parent_window: '' or 'x11:<hex id>'. */
  parent: string;
  title: string;
  options: Record<string, { signature: string; value: unknown }>;
}

/** The fake portal: records each call, answers with the next of `answers` ([code, uris]). */
async function fakePortal(address: string, answers: [number, string[]][]) {
  const bus = dbus.sessionBus({ busAddress: address });
  const calls: Call[] = [];
  bus.addMethodHandler((msg: InstanceType<typeof Message>) => {
    if (msg.interface === 'org.freedesktop.DBus.Properties' && msg.member === 'Get' && msg.body[0] === CHOOSER) {
      bus.send(Message.newMethodReturn(msg, 'v', [new Variant('u', 3)]));
      return true;
    }
    if (msg.interface !== CHOOSER || msg.path !== PORTAL_PATH) return false;
    const [parent, title, options] = msg.body as [string, string, Call['options']];
    calls.push({ method: msg.member, parent, title, options });
    const path = `${PORTAL_PATH}/request/${msg.sender.slice(1).replace(/\./g, '_')}/${options.handle_token!.value as string}`;
    bus.send(Message.newMethodReturn(msg, 'o', [path]));
    const [code, uris] = answers.shift()!;
    // Answered at once, as a fast portal could: the caller listens before it calls.
    bus.send(Message.newSignal(path, 'org.freedesktop.portal.Request', 'Response', 'ua{sv}', [code, { uris: new Variant('as', uris) }]));
    return true;
  });
  await bus.requestName(PORTAL, 0);
  return { calls, stop: () => bus.disconnect() };
}

const linux = (hasSessionBus = true): DialogEnvironment => ({ platform: 'linux', env: {}, findCommand: () => undefined, hasSessionBus });

test('the portal route: options as the portal wants them, URIs back as exact paths, cancel', { skip: privateBusMissing(), timeout: 20_000 }, async () => {
  const bus = await startPrivateBus();
  const before = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = bus.address;
  try {
    // No portal on the bus yet: it is skipped with its reason, and no tool is left.
    await assert.rejects(openDialogIn(linux(), {}), (error: Error) => {
      assert.match(error.message, /^no dialog tool: tried the XDG desktop portal \(org\.freedesktop\.portal\.Desktop is not on the session bus\), zenity \(not installed .*\), kdialog \(not installed .*\); install zenity/);
      return true;
    });
    const portal = await fakePortal(bus.address, [
      [0, ['file:///tmp/a%20b%20%22q%22%20%27s%27/new%0Aline.md', 'file:///tmp/%C3%A9t%C3%A9%20%E6%97%A5%E6%9C%AC%F0%9F%98%80.txt']],
      [0, ['file:///home/u/My%20Folder']],
      [1, []],
      [0, ['file:///tmp/saved%20%0A%20name%20%C3%BC.txt']],
      [2, []],
    ]);
    try {
      const picked = await openDialogIn(linux(), {
        title: 'Pick "some" files',
        buttonLabel: 'Take them',
        defaultPath: '/tmp',
        filters: [{ name: 'Markdown', extensions: ['md', 'markdown'] }, { name: 'All files', extensions: ['*'] }],
        properties: ['openFile', 'multiSelections'],
      });
      assert.deepEqual(picked, { canceled: false, filePaths: ['/tmp/a b "q" \'s\'/new\nline.md', '/tmp/été 日本😀.txt'] });
      const [open] = portal.calls;
      assert.equal(open!.method, 'OpenFile');
      assert.equal(open!.title, 'Pick "some" files');
      assert.equal(open!.parent, '', 'no window given: no parent');
      const signatures = Object.fromEntries(Object.entries(open!.options).map(([key, v]) => [key, v.signature]));
      assert.deepEqual(signatures, { multiple: 'b', directory: 'b', accept_label: 's', filters: 'a(sa(us))', current_folder: 'ay', handle_token: 's' });
      assert.equal(open!.options.multiple!.value, true);
      assert.equal(open!.options.directory!.value, false);
      assert.equal(open!.options.accept_label!.value, 'Take them');
      assert.deepEqual(open!.options.filters!.value, [['Markdown', [[0, '*.md'], [0, '*.markdown']]], ['All files', [[0, '*']]]]);
      assert.deepEqual(open!.options.current_folder!.value, Buffer.from('/tmp\0'));
      assert.match(open!.options.handle_token!.value as string, /^[A-Za-z0-9_]+$/);

      // The X11 window of the app window the dialog was given, as the portal spec writes it.
      assert.deepEqual(await openDialogIn(linux(), { properties: ['openDirectory'] }, 0x1e00007), { canceled: false, filePaths: ['/home/u/My Folder'] });
      assert.equal(portal.calls[1]!.parent, 'x11:1e00007');
      assert.equal(portal.calls[1]!.options.directory!.value, true);
      assert.equal(portal.calls[1]!.options.multiple!.value, false);

      assert.deepEqual(await openDialogIn(linux(), { title: 'cancel me' }), { canceled: true, filePaths: [] });

      const saved = await saveDialogIn(linux(), { title: 'Save', defaultPath: '/nonexistent-folder/draft é.txt', filters: [{ name: 'Text', extensions: ['txt'] }] });
      assert.deepEqual(saved, { canceled: false, filePath: '/tmp/saved \n name ü.txt' });
      const save = portal.calls[3]!;
      assert.equal(save.method, 'SaveFile');
      assert.equal(save.parent, '');
      assert.equal(save.options.current_name!.value, 'draft é.txt');
      assert.deepEqual(save.options.current_folder!.value, Buffer.from('/nonexistent-folder\0'));

      await assert.rejects(saveDialogIn(linux(), {}), /the portal's file chooser ended without an answer \(response 2/);
      // The portal has no message box: with no zenity or kdialog, that is the error.
      await assert.rejects(messageBoxIn(linux(), { message: 'hi' }), /no dialog tool: tried zenity \(not installed/);
    } finally {
      portal.stop();
    }
  } finally {
    closeSessionBus();
    if (before === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = before;
    await bus.stop();
  }
});

test('a session bus that cannot be reached: the portal is passed over with the reason, never a hang', { timeout: 20_000 }, async () => {
  const before = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent-gluon-test/bus';
  try {
    await assert.rejects(openDialogIn(linux(), {}), /no dialog tool: tried the XDG desktop portal \(the session bus failed: connect ENOENT \/nonexistent-gluon-test\/bus\), zenity/);
  } finally {
    closeSessionBus();
    if (before === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = before;
  }
});
