// A private D-Bus session bus for one test (its own dbus-daemon, stopped by the test, only it),
// and what the notification tests put on it: a small fake org.freedesktop.Notifications server
// written with dbus-next that records what it is sent and emits the spec's signals, and a monitor
// that sees every message on the bus (BecomeMonitor), to check what a real server received.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from '../e2e/x11.js';
import { dbus, type MessageBus } from '../../src/desktop/dbus.js';

/**
 * A session bus with no service files: only what the test itself puts on it is there (the
 * machine's own services, a real portal for one, are not started on demand).
 */
const CONFIG = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=DIR</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

type Message = InstanceType<typeof dbus.Message>;

/** Why the bus tests cannot run here (false if they can); under CI=true a missing tool fails instead. */
export function busMissing(): string | false {
  if (hasCommand('dbus-daemon')) return false;
  const why = 'needs dbus-daemon (apt-get install dbus)';
  if (process.env.CI === 'true') throw new Error(`CI: ${why}`);
  return why;
}

export interface PrivateBus {
  /** The bus's address, for DBUS_SESSION_BUS_ADDRESS. */
  address: string;
  /** A new connection to this bus. */
  connect(): MessageBus;
  /** Stops this bus's dbus-daemon (only it). */
  stop(): Promise<void>;
}

/** Starts a dbus-daemon of its own (the configuration above) and learns its address. */
export async function startBus(): Promise<PrivateBus> {
  const dir = mkdtempSync(join(tmpdir(), 'gluon-bus-'));
  writeFileSync(join(dir, 'bus.conf'), CONFIG.replace('DIR', dir));
  const daemon = spawn('dbus-daemon', ['--config-file', join(dir, 'bus.conf'), '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  let err = '';
  daemon.stderr!.on('data', (chunk) => (err += chunk));
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    daemon.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
    });
    daemon.once('error', reject);
    daemon.once('exit', (code) => reject(new Error(`dbus-daemon exited (${code}) before it printed its address: ${err}`)));
  });
  return {
    address,
    connect: () => dbus.sessionBus({ busAddress: address }),
    async stop() {
      if (daemon.exitCode !== null || daemon.signalCode !== null) return;
      const exited = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill();
      await exited;
    },
  };
}

/** One Notify call as the server received it. */
export interface ReceivedNotify {
  id: number;
  sender: string;
  appName: string;
  replacesId: number;
  appIcon: string;
  summary: string;
  body: string;
  actions: string[];
  hints: Record<string, { signature: string; value: unknown }>;
  expireTimeout: number;
}

export interface FakeNotificationServer {
  notifies: ReceivedNotify[];
  /** The ids CloseNotification was called with. */
  closes: number[];
  /** Resolves with the next Notify the server receives. */
  nextNotify(): Promise<ReceivedNotify>;
  /** Emits ActionInvoked(id, key). */
  invoke(id: number, key: string): void;
  /** Emits NotificationClosed(id, reason). */
  closed(id: number, reason: number): void;
  stop(): void;
}

const NAME = 'org.freedesktop.Notifications';
const PATH = '/org/freedesktop/Notifications';

/**
 * A fake notification server on `bus`: answers Notify with ids from 1, CloseNotification by
 * emitting NotificationClosed(id, 3) as the spec says, and GetCapabilities; `failNotify` makes
 * Notify answer with that D-Bus error instead; `closeAtOnce` sends NotificationClosed(id, it)
 * right behind the reply (as a server in do-not-disturb mode may).
 */
export async function fakeNotificationServer(bus: PrivateBus, { failNotify, closeAtOnce }: { failNotify?: string; closeAtOnce?: number } = {}): Promise<FakeNotificationServer> {
  const connection = bus.connect();
  const notifies: ReceivedNotify[] = [];
  const closes: number[] = [];
  const waiting: Array<(notify: ReceivedNotify) => void> = [];
  let nextId = 1;
  const signal = (member: string, signature: string, body: unknown[]) => connection.send(dbus.Message.newSignal(PATH, NAME, member, signature, body));
  connection.addMethodHandler((message: Message) => {
    if (message.interface !== NAME || message.path !== PATH) return false;
    if (message.member === 'Notify') {
      if (failNotify) {
        connection.send(dbus.Message.newError(message as never, failNotify, 'the fake server was told to fail'));
        return true;
      }
      const [appName, replacesId, appIcon, summary, body, actions, hints, expireTimeout] = message.body;
      const received: ReceivedNotify = {
        id: nextId++,
        sender: message.sender!,
        appName,
        replacesId,
        appIcon,
        summary,
        body,
        actions,
        hints: Object.fromEntries(Object.entries(hints as Record<string, { signature: string; value: unknown }>).map(([key, variant]) => [key, { signature: variant.signature, value: variant.value }])),
        expireTimeout,
      };
      notifies.push(received);
      connection.send(dbus.Message.newMethodReturn(message, 'u', [received.id]));
      if (closeAtOnce !== undefined) signal('NotificationClosed', 'uu', [received.id, closeAtOnce]);
      waiting.shift()?.(received);
      return true;
    }
    if (message.member === 'CloseNotification') {
      closes.push(message.body[0]);
      connection.send(dbus.Message.newMethodReturn(message, '', []));
      signal('NotificationClosed', 'uu', [message.body[0], 3]);
      return true;
    }
    if (message.member === 'GetCapabilities') {
      connection.send(dbus.Message.newMethodReturn(message, 'as', [['actions', 'body']]));
      return true;
    }
    return false;
  });
  await connection.requestName(NAME, 0);
  return {
    notifies,
    closes,
    nextNotify: () => new Promise((resolve) => waiting.push(resolve)),
    invoke: (id, key) => signal('ActionInvoked', 'us', [id, key]),
    closed: (id, reason) => signal('NotificationClosed', 'uu', [id, reason]),
    stop: () => connection.disconnect(),
  };
}

export interface BusMonitor {
  /** The messages seen so far. */
  messages: Message[];
  /** Resolves with the first message (seen already or later) that `test` accepts; rejects after `timeout` ms. */
  find(test: (message: Message) => boolean, timeout?: number): Promise<Message>;
  stop(): void;
}

/** Becomes a monitor of `bus` (org.freedesktop.DBus.Monitoring): sees every message, sends none. */
export async function monitorBus(bus: PrivateBus): Promise<BusMonitor> {
  const connection = bus.connect();
  const messages: Message[] = [];
  const listeners = new Set<() => void>();
  // A monitor must never answer: the method calls it sees are others', and a reply ends it.
  connection.addMethodHandler(() => true);
  await connection.call(new dbus.Message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus.Monitoring', member: 'BecomeMonitor', signature: 'asu', body: [[], 0] }));
  connection.on('message', (message: Message) => {
    messages.push(message);
    for (const listener of listeners) listener();
  });
  return {
    messages,
    find(test, timeout = 10_000) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const found = messages.find(test);
          if (!found) return false;
          listeners.delete(look);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          listeners.delete(look);
          reject(new Error(`the bus monitor saw no such message within ${timeout} ms (${messages.length} seen: ${messages.map((m) => m.member).join(', ')})`));
        }, timeout);
        if (!look()) listeners.add(look);
      });
    },
    stop: () => connection.disconnect(),
  };
}
