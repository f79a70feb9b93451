// Gluon.notify (src/desktop/notify.ts): the D-Bus route against a fake
// org.freedesktop.Notifications server on a private session bus (what it receives, and the
// signals it sends coming back as 'action', 'click' and 'close'), a backend process that ends
// when nobody listens, failures that reject and crash nothing, and the macOS and Windows routes
// by the exact commands they would run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { notify, notifyOn, notificationRoute, POWERSHELL_ARGS, type NotificationCloseReason } from '../../src/desktop/notify.js';
import { closeSessionBus } from '../../src/desktop/dbus.js';
import { appNameFor } from '../../src/desktop/app-name.js';
import { setCommandRunner, type CommandResult } from '../../src/desktop/command.js';
import { busMissing, fakeNotificationServer, startBus, type PrivateBus } from './private-bus.js';

const skip = busMissing();

/** Runs `work` with this process's session bus pointed at a private bus of its own. */
async function onPrivateBus(work: (bus: PrivateBus) => Promise<void>): Promise<void> {
  const bus = await startBus();
  const before = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = bus.address;
  try {
    await work(bus);
  } finally {
    closeSessionBus();
    if (before === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = before;
    await bus.stop();
  }
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082', 'hex');

test('the route: D-Bus where there is a session bus, osascript on macOS, PowerShell on Windows, else an error naming what to install', () => {
  const find = (names: string[]) => (name: string) => (names.includes(name) ? `/bin/${name}` : undefined);
  assert.deepEqual(notificationRoute({ platform: 'linux', env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' }, findCommand: find([]) }), { route: 'dbus' });
  assert.deepEqual(notificationRoute({ platform: 'freebsd', env: {}, findCommand: find([]), hasSessionBus: true }), { route: 'dbus' });
  const none = notificationRoute({ platform: 'linux', env: {}, findCommand: find(['notify-send']) });
  assert.equal(none.route, 'none');
  assert.match((none as { message: string }).message, /tried org\.freedesktop\.Notifications over D-Bus.*no session bus.*dbus-run-session.*notification-daemon/);
  assert.deepEqual(notificationRoute({ platform: 'darwin', env: {}, findCommand: find(['osascript']) }), { route: 'osascript', command: '/bin/osascript' });
  assert.match((notificationRoute({ platform: 'darwin', env: {}, findCommand: find([]) }) as { message: string }).message, /tried osascript/);
  assert.deepEqual(notificationRoute({ platform: 'win32', env: { DBUS_SESSION_BUS_ADDRESS: 'x' }, findCommand: find(['powershell.exe']) }), { route: 'powershell', command: '/bin/powershell.exe' });
  assert.match((notificationRoute({ platform: 'win32', env: {}, findCommand: find([]) }) as { message: string }).message, /tried Windows PowerShell/);
});

test('macOS and Windows: the exact commands, the user text only as arguments or environment', async () => {
  const calls: Array<{ file: string; args: readonly string[]; env?: Record<string, string | undefined> }> = [];
  const restore = setCommandRunner(
    async (file, args, options): Promise<CommandResult> => {
      calls.push({ file, args, env: options?.env });
      return { code: 0, signal: null, stdout: Buffer.alloc(0), stderr: '' };
    },
    (name) => ({ osascript: '/usr/bin/osascript', 'powershell.exe': 'C:\\Windows\\powershell.exe' })[name],
  );
  const dir = mkdtempSync(join(tmpdir(), 'gluon-notify-'));
  try {
    const icon = join(dir, 'icön.png');
    writeFileSync(icon, PNG);
    const title = `"quoted" it's $(x) -e`;
    const body = 'line\nbreak é 😀 `end`';
    const mac = await notifyOn('darwin', { title, body, icon, actions: [{ type: 'button', text: 'Yes' }] });
    assert.deepEqual(calls[0], {
      file: '/usr/bin/osascript',
      args: ['-e', 'on run argv', '-e', 'display notification (item 3 of argv) with title (item 2 of argv)', '-e', 'end run', 'notify', title, body],
      env: {},
    });
    assert.deepEqual([mac.route, mac.heard, mac.id], ['osascript', false, undefined]);
    mac.on('click', () => assert.fail('never heard'))();
    await mac.close();

    const win = await notifyOn('win32', { title, body, icon, urgency: 'critical' });
    assert.equal(calls[1]!.file, 'C:\\Windows\\powershell.exe');
    assert.deepEqual(calls[1]!.args.slice(0, 5), ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    assert.deepEqual(calls[1]!.args, POWERSHELL_ARGS);
    const script = Buffer.from(calls[1]!.args[5]!, 'base64').toString('utf16le');
    assert.match(script, /Windows\.UI\.Notifications\.ToastNotificationManager/);
    assert.match(script, /CreateTextNode\(\$env:GLUON_NOTIFY_TITLE\)/);
    assert.deepEqual(calls[1]!.env, { GLUON_NOTIFY_TITLE: title, GLUON_NOTIFY_BODY: body, GLUON_NOTIFY_ICON: pathToFileURL(icon).href, GLUON_NOTIFY_LONG: '1' });
    assert.equal(win.heard, false);
    await notifyOn('win32', { title: 't' });
    assert.deepEqual(calls[2]!.env, { GLUON_NOTIFY_TITLE: 't', GLUON_NOTIFY_BODY: '', GLUON_NOTIFY_ICON: '', GLUON_NOTIFY_LONG: '' });

    setCommandRunner(async () => ({ code: 1, signal: null, stdout: Buffer.alloc(0), stderr: 'execution of scripts is disabled\n' }));
    await assert.rejects(notifyOn('win32', { title: 't' }), /PowerShell could not show the notification \(exit 1\): execution of scripts is disabled$/);
  } finally {
    restore();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('options are checked before anything runs', async () => {
  await assert.rejects(notify({} as never), /title must be a non-empty string/);
  await assert.rejects(notify({ title: 't', urgency: 'loud' as never }), /urgency must be 'low', 'normal' or 'critical'/);
  await assert.rejects(notify({ title: 't', urgency: 'toString' as never }), /urgency must be/);
  await assert.rejects(notify({ title: 't', timeout: -5 }), /timeout must be a whole number of milliseconds/);
  await assert.rejects(notify({ title: 't', actions: [{ text: 3 }] as never }), /actions\[0\] must be \{ type: 'button', text: string \}/);
  await assert.rejects(notify({ title: 't', icon: 'no/such/icon.png' }), /the icon .*no\/such\/icon\.png is not a file/);
});

test('D-Bus: the server gets title, body, icon, urgency, timeout and actions; its signals arrive as action, click and close', { skip, timeout: 20_000 }, () =>
  onPrivateBus(async (bus) => {
    const server = await fakeNotificationServer(bus);
    const dir = mkdtempSync(join(tmpdir(), 'gluon notify "é"-'));
    try {
      const icon = join(dir, 'ic on.png');
      writeFileSync(icon, PNG);
      const title = 'Saved "notes" it\'s é 😀';
      const body = 'line one\nline two';
      const shown = await notify({ title, body, icon: relative(process.cwd(), icon), urgency: 'critical', timeout: 5000, actions: [{ type: 'button', text: 'Open' }, { text: 'Später' }] });
      const got = server.notifies[0]!;
      assert.equal(shown.id, got.id);
      assert.deepEqual([shown.route, shown.heard, shown.closed], ['dbus', true, false]);
      assert.equal(got.appName, appNameFor(process.argv[1]));
      assert.deepEqual([got.summary, got.body, got.replacesId, got.expireTimeout], [title, body, 0, 5000]);
      assert.equal(got.appIcon, pathToFileURL(icon).href);
      assert.deepEqual(got.hints, { urgency: { signature: 'y', value: 2 }, 'image-path': { signature: 's', value: pathToFileURL(icon).href } });
      assert.deepEqual(got.actions, ['default', 'Open', '0', 'Open', '1', 'Später']);

      const seen: unknown[] = [];
      const warnings: string[] = [];
      const onWarning = (warning: Error & { code?: string }) => warnings.push(`${warning.code}: ${warning.message.split('\n')[0]}`);
      process.on('warning', onWarning);
      shown.on('action', () => {
        throw new Error('a handler that throws');
      });
      shown.on('action', (index) => seen.push(['action', index]));
      shown.on('click', () => seen.push('click'));
      const closed = new Promise<NotificationCloseReason>((resolve) => shown.on('close', ({ reason }) => resolve(reason)));
      server.invoke(shown.id!, '1');
      server.invoke(shown.id!, 'default');
      server.invoke(shown.id! + 100, 'default'); // another app's notification: not ours
      server.closed(shown.id!, 2);
      assert.equal(await closed, 'dismissed');
      process.off('warning', onWarning);
      assert.deepEqual(seen, [['action', 1], 'click']);
      assert.equal(shown.closed, true);
      assert.deepEqual(warnings, ["GLUON_NOTIFICATION_HANDLER: notification.on('action') handler threw: Error: a handler that throws"]);

      // close(): CloseNotification, then the server's NotificationClosed(3).
      const second = await notify({ title: 'second' });
      assert.deepEqual(server.notifies[1]!.hints, { urgency: { signature: 'y', value: 1 } });
      assert.deepEqual([server.notifies[1]!.expireTimeout, server.notifies[1]!.appIcon, server.notifies[1]!.body], [-1, '', '']);
      const reason = new Promise<NotificationCloseReason>((resolve) => second.on('close', (details) => resolve(details.reason)));
      await second.close();
      assert.deepEqual(server.closes, [second.id]);
      assert.equal(await reason, 'closed');
    } finally {
      server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }),
);

test('a server that closes a notification at once, or leaves the bus: the notification is closed, nothing waits for it', { skip, timeout: 20_000 }, () =>
  onPrivateBus(async (bus) => {
    const hasty = await fakeNotificationServer(bus, { closeAtOnce: 2 });
    const gone = await notify({ title: 'do not disturb' });
    assert.equal(gone.closed, true, 'the NotificationClosed that came with the reply was lost');
    hasty.stop();
    const server = await fakeNotificationServer(bus);
    const shown = await notify({ title: 'the server will leave' });
    const reason = new Promise<NotificationCloseReason>((resolve) => shown.on('close', (details) => resolve(details.reason)));
    server.stop();
    assert.equal(await reason, 'undefined');
  }),
);

/**
 * Starts a backend (a node process) on `bus` that shows a notification and prints its id; it
 * listens for 'close' if `listen` is 'listen', and adds a 'click' handler and removes it at once
 * if 'unhook'.
 */
function backend(bus: PrivateBus, listen: 'no' | 'listen' | 'unhook') {
  const module = new URL('../../src/desktop/notify.js', import.meta.url).href;
  const handlers = {
    no: '',
    listen: "shown.on('close', ({ reason }) => console.log('closed', reason));",
    unhook: "const unhook = shown.on('click', () => {}); setTimeout(unhook, 200);",
  };
  const script = `import { notify } from ${JSON.stringify(module)};
    const shown = await notify({ title: 'from the backend' });
    ${handlers[listen]}
    console.log('shown', shown.id);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus.address }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => out, errors: () => err };
}

test('a backend that notifies and nobody listens (or no longer) ends; one that listens stays until the notification closes', { skip, timeout: 30_000 }, () =>
  onPrivateBus(async (bus) => {
    const server = await fakeNotificationServer(bus);
    const runs: Array<ReturnType<typeof backend>> = [];
    try {
      for (const [listen, id] of [['no', 1], ['unhook', 2]] as const) {
        const quiet = backend(bus, listen);
        runs.push(quiet);
        const ended = await Promise.race([quiet.exited, sleep(10_000, 'still running', { ref: false })]);
        assert.equal(ended, 0, `the backend (handlers: ${listen}) did not end by itself: ${quiet.output()} ${quiet.errors()}`);
        assert.equal(quiet.output(), `shown ${id}\n`);
      }

      const listening = backend(bus, 'listen');
      runs.push(listening);
      const received = await server.nextNotify();
      await sleep(1000);
      assert.equal(listening.child.exitCode, null, `a backend with a 'close' handler must wait for the close: ${listening.errors()}`);
      server.closed(received.id, 1);
      assert.equal(await Promise.race([listening.exited, sleep(10_000, 'still running', { ref: false })]), 0, `the backend did not end once its notification closed: ${listening.errors()}`);
      assert.equal(listening.output(), `shown ${received.id}\nclosed expired\n`);
    } finally {
      for (const run of runs) if (run.child.exitCode === null) run.child.kill();
      server.stop();
    }
  }),
);

test('no notification server, a failing server, no bus or a dead one: notify rejects saying why, and nothing crashes', { skip, timeout: 20_000 }, async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await onPrivateBus(async (bus) => {
      await assert.rejects(notify({ title: 'nobody hears' }), /^Error: Gluon\.notify: no notification server on the session bus \(org\.freedesktop\.Notifications\): .+Start one/);
      const failing = await fakeNotificationServer(bus, { failNotify: 'org.example.Error.Broken' });
      try {
        await assert.rejects(notify({ title: 'fails' }), /the notification server \(org\.freedesktop\.Notifications on the session bus\) failed: org\.example\.Error\.Broken: the fake server was told to fail/);
      } finally {
        failing.stop();
      }
    });
    const before = process.env.DBUS_SESSION_BUS_ADDRESS;
    try {
      delete process.env.DBUS_SESSION_BUS_ADDRESS;
      await assert.rejects(notifyOn('linux', { title: 'no bus' }), /no way to show a notification: tried org\.freedesktop\.Notifications over D-Bus, but there is no session bus/);
      const dir = mkdtempSync(join(tmpdir(), 'gluon-nobus-'));
      process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'gone')}`;
      await assert.rejects(notifyOn('linux', { title: 'dead bus' }), /Gluon\.notify: .*(ENOENT|connect)/);
      rmSync(dir, { recursive: true, force: true });
    } finally {
      closeSessionBus();
      if (before === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = before;
    }
    await sleep(100);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
