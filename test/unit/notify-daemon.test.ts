// Gluon.notify against a real notification server: Debian's notification-daemon on a private
// session bus and a private X display. A bus monitor sees what it received (title, body, icon,
// urgency, actions); the bubble appears as an X window; a click on it with xdotool comes back as
// 'click' and 'close' (dismissed), and close() takes a bubble away ('close': closed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { notify, type NotificationCloseReason } from '../../src/desktop/notify.js';
import { closeSessionBus, dbus } from '../../src/desktop/dbus.js';
import { startDisplay, x11Missing } from '../e2e/x11.js';
import { busMissing, monitorBus, startBus } from './private-bus.js';

const DAEMON = '/usr/lib/notification-daemon/notification-daemon';

function missing(): string | false {
  const why = busMissing() || x11Missing() || (existsSync(DAEMON) ? false : `needs ${DAEMON} (apt-get install notification-daemon)`);
  if (why && process.env.CI === 'true') throw new Error(`CI: ${why}`);
  return why;
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082', 'hex');

test("Debian's notification-daemon shows it, a click on the bubble is 'click', close() closes it", { skip: missing(), timeout: 30_000 }, async () => {
  const display = await startDisplay();
  const bus = await startBus();
  const dir = mkdtempSync(join(tmpdir(), 'gluon-notify-daemon-'));
  // The monitor first: it must see the daemon take its name (CI once saw the name taken before a
  // monitor started after the daemon was listening).
  const monitor = await monitorBus(bus);
  const daemon = spawn(DAEMON, [], { env: { ...process.env, DISPLAY: display.name, DBUS_SESSION_BUS_ADDRESS: bus.address }, stdio: ['ignore', 'ignore', 'pipe'] });
  let daemonErr = '';
  daemon.stderr!.on('data', (chunk) => (daemonErr += chunk));
  const before = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = bus.address;
  try {
    // The daemon is ready once it owns the name.
    await monitor.find((m) => m.member === 'NameOwnerChanged' && m.body?.[0] === 'org.freedesktop.Notifications' && !!m.body?.[2], 15_000).catch((error) => {
      throw new Error(`${error.message}; notification-daemon said: ${daemonErr}`);
    });
    const icon = join(dir, 'icon.png');
    writeFileSync(icon, PNG);
    const shown = await notify({ title: 'Backup finished é', body: '3 files <b>saved</b>', icon, urgency: 'low', actions: [{ type: 'button', text: 'Show' }] });

    const call = await monitor.find((m) => m.type === dbus.MessageType.METHOD_CALL && m.member === 'Notify');
    const [, , appIcon, summary, body, actions, hints, timeout] = call.body;
    assert.deepEqual([appIcon, summary, body, actions, timeout], [pathToFileURL(icon).href, 'Backup finished é', '3 files <b>saved</b>', ['default', 'Open', '0', 'Show'], -1]);
    assert.deepEqual([hints.urgency.value, hints['image-path'].value], [0, pathToFileURL(icon).href]);

    const bubble = await display.windowTitled('Notification');
    assert.match(display.run('xprop', ['-id', bubble, 'WM_CLASS', '_NET_WM_WINDOW_TYPE']), /"notification-daemon"[\s\S]*_NET_WM_WINDOW_TYPE_NOTIFICATION/);

    const heard: string[] = [];
    shown.on('click', () => heard.push('click'));
    const closed = new Promise<NotificationCloseReason>((resolve) => shown.on('close', ({ reason }) => resolve(reason)));
    display.run('xdotool', ['mousemove', '--window', bubble, '100', '30', 'click', '1']);
    assert.equal(await closed, 'dismissed');
    assert.deepEqual(heard, ['click']);
    await monitor.find((m) => m.member === 'ActionInvoked' && m.body?.[0] === shown.id && m.body?.[1] === 'default');

    const second = await notify({ title: 'Second', urgency: 'critical' });
    await display.windowTitled('Notification');
    const reason = new Promise<NotificationCloseReason>((resolve) => second.on('close', (details) => resolve(details.reason)));
    await second.close();
    assert.equal(await reason, 'closed');
  } finally {
    monitor.stop();
    closeSessionBus();
    if (before === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = before;
    if (daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill();
      await exited;
    }
    await bus.stop();
    await display.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
