// The user's D-Bus session bus, for the desktop services that live on it on Linux
// (org.freedesktop.Notifications, the XDG desktop portal, the file manager's ShowItems). One
// connection per process, made at first use and dropped when it fails, so a later call tries
// again; it never keeps the process alive on its own. dbus-next speaks the protocol.
import dbus from 'dbus-next';
import { logger } from '../log.js';

const log = logger('desktop');

export type MessageBus = dbus.MessageBus;
export { dbus };

let bus: MessageBus | undefined;

/** Whether a session bus address is known to this process (DBUS_SESSION_BUS_ADDRESS). */
export function hasSessionBus(): boolean {
  return process.platform === 'linux' && !!process.env.DBUS_SESSION_BUS_ADDRESS;
}

/** The session bus connection; throws with what to do if there is no session bus. */
export function sessionBus(): MessageBus {
  if (bus) return bus;
  if (!hasSessionBus()) {
    throw new Error('no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set (the desktop session normally sets it; run the app inside one, or with dbus-run-session)');
  }
  const connection = dbus.sessionBus();
  bus = connection;
  holds = 0;
  socketOf(connection)?.unref?.(); // the bus alone never keeps the app running
  connection.on('error', (error: Error) => {
    log('session bus error:', error.message);
    if (bus === connection) bus = undefined;
  });
  return connection;
}

type Socket = { ref?: () => void; unref?: () => void };
const socketOf = (connection: MessageBus): Socket | undefined => (connection as unknown as { _connection?: { stream?: Socket } })._connection?.stream;
let holds = 0;

/**
 * Keeps the process alive for the bus until the returned function is called: while a call awaits
 * its reply, or while something waits for a signal (a notification's click). Calls nest.
 */
export function holdBus(): () => void {
  const connection = sessionBus();
  if (holds++ === 0) socketOf(connection)?.ref?.();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holds === 0 && bus === connection) socketOf(connection)?.unref?.();
  };
}

/**
 * Runs `work` with the session bus, the process kept alive until it settles. It rejects if the
 * connection fails or ends first: dbus-next leaves a call unanswered forever when its connection
 * cannot be made (no socket at the address) or drops.
 */
export async function withSessionBus<T>(work: (bus: MessageBus) => Promise<T>): Promise<T> {
  const release = holdBus();
  try {
    const connection = sessionBus();
    return await untilBusFails(connection, work(connection));
  } finally {
    release();
  }
}

/** `pending`, or a rejection as soon as the bus connection fails or ends. */
function untilBusFails<T>(bus: MessageBus, pending: Promise<T>): Promise<T> {
  const stream = (bus as unknown as { _connection?: NodeJS.EventEmitter })._connection;
  return new Promise<T>((resolve, reject) => {
    const failed = (error: Error) => {
      done();
      reject(error);
    };
    const ended = () => failed(new Error('the session bus connection closed before the answer came'));
    const done = () => {
      bus.off('error', failed);
      stream?.off('end', ended);
    };
    bus.on('error', failed);
    stream?.on('end', ended);
    pending.then(
      (value) => {
        done();
        resolve(value);
      },
      failed,
    );
  });
}

/** Closes the session bus connection (tests, and an app that wants to end cleanly). */
export function closeSessionBus(): void {
  const connection = bus;
  bus = undefined;
  connection?.disconnect();
}
