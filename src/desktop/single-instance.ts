// One instance of the app per user, Electron's `app.requestSingleInstanceLock()`: the first
// process of the app listens on the app's rendezvous (rendezvous.ts); a later one finds it
// there, hands it its argv and cwd, waits for the acknowledgement and learns `false`.
//
// Who is first is decided by the kernel: binding the socket's path succeeds for exactly one
// process (every other gets EADDRINUSE). A socket left on disk by a process that was killed
// (SIGKILL: no exit code ran) refuses connections; it is removed only under a takeover lock
// (a file created with O_EXCL, naming its holder's pid), and only after two refused connects
// 50 ms apart (a live first binds and listens in one step, so a refusal there is a dead one), so
// two starters never both remove a socket and both bind: the bind still decides. A takeover lock
// left by a holder that died in those 50 ms is removed by the next starter that finds its pid
// gone; the one narrow race left is two starters removing such a lock at the same moment, and
// then each checks, before removing the socket, that the lock on disk is its own.
//
// The message: one line of JSON each way over the socket: `{ argv, cwd, additionalData? }` to
// the first, `{ ok: true }` back once its 'second-instance' handlers have run.
import { closeSync, lstatSync, openSync, readFileSync, statSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import * as os from 'node:os';
import { logger } from '../log.js';
import { emitAppEvent, type SecondInstance } from './app-events.js';
import { appNameFor } from './app-name.js';
import { forwardOpenRequests, setLockSettling } from './deep-links.js';
import { clearForeign, currentPlace, preparePrivateDir, rendezvousFor, type Rendezvous } from './rendezvous.js';

const log = logger('instance');

/** The options of {@link requestSingleInstanceLock} (gluon-ts's; Electron has only additionalData). */
export interface SingleInstanceOptions {
  /** The app's name, which the lock is per: default the `name` in the app's package.json (the nearest above the entry file). */
  name?: string;
  /** How long a later start waits for the first to acknowledge, in ms (default 10000). */
  timeout?: number;
}

const DEFAULT_TIMEOUT = 10_000;
/** The most a message may carry (argv, cwd, additionalData as JSON). */
const MAX_MESSAGE = 1 << 20;

interface Held {
  server: Server;
  rendezvous: Rendezvous;
  /** The socket file's inode, so only our own file is removed. */
  ino?: number;
  onExit: () => void;
}

let held: Held | undefined;
let pending: Promise<boolean> | undefined;
/** A lock request of this process resolved false: it is a later start. */
let lost = false;
// The first start's own links and files wait for the lock: a later start forwards them instead (deep-links.ts).
setLockSettling(() => (held ? true : pending ?? (lost ? false : undefined)));

const warn = (message: string) => process.emitWarning(message, { code: 'GLUON_SINGLE_INSTANCE' });

/**
 * Resolves `true` in the first process of this app for this user (it then holds the lock until
 * it exits or calls {@link releaseSingleInstanceLock}); in a later one, hands its `process.argv`,
 * `process.cwd()` and `additionalData` to the first, which hears them as
 * `Gluon.on('second-instance', ({ argv, cwd, additionalData }) => ...)`, and resolves `false`
 * once the first has received them. As in Electron, the library does not exit: a later start
 * quits by itself (`if (!await Gluon.requestSingleInstanceLock()) process.exit(0)`).
 *
 * `additionalData` travels as JSON. The lock is per user and per app name (`options.name`, else
 * the `name` in the app's package.json).
 */
export function requestSingleInstanceLock(additionalData?: unknown, options: SingleInstanceOptions = {}): Promise<boolean> {
  if (held) return Promise.resolve(true);
  if (pending) return pending;
  let message: string;
  try {
    const body: SecondInstance = { argv: [...process.argv], cwd: process.cwd() };
    if (additionalData !== undefined) body.additionalData = additionalData;
    message = JSON.stringify(body);
  } catch (error) {
    return Promise.reject(new TypeError(`requestSingleInstanceLock(additionalData): additionalData must be JSON-serializable (${(error as Error).message})`));
  }
  if (Buffer.byteLength(message) > MAX_MESSAGE) {
    return Promise.reject(new RangeError(`requestSingleInstanceLock(additionalData): the message to the first instance would be ${Buffer.byteLength(message)} bytes; at most ${MAX_MESSAGE} are sent: pass less additionalData`));
  }
  const name = options.name ?? appNameFor(process.argv[1]);
  if (typeof name !== 'string' || !name) return Promise.reject(new TypeError(`requestSingleInstanceLock: options.name must be a non-empty string, got ${JSON.stringify(name)}`));
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  pending = acquire(name, message, timeout).then((first) => {
    lost = !first;
    return first;
  }).finally(() => {
    pending = undefined;
  });
  return pending;
}

/** Whether this process holds the single-instance lock (Electron's `app.hasSingleInstanceLock()`). */
export function hasSingleInstanceLock(): boolean {
  return held !== undefined;
}

/** Gives the lock up: the next start of the app will be the first. Nothing happens if this process does not hold it. */
export function releaseSingleInstanceLock(): void {
  const was = held;
  if (!was) return;
  held = undefined;
  process.off('exit', was.onExit);
  closeHeld(was);
  log('released', was.rendezvous.path);
}

/** Closes the server and removes its socket file if it is still ours (Node removes it on close; other runtimes may not). */
function closeHeld({ server, rendezvous, ino }: Held): void {
  server.close();
  if (rendezvous.kind !== 'unix') return;
  try {
    if (lstatSync(rendezvous.path).ino === ino) unlinkSync(rendezvous.path);
  } catch {
    // already gone
  }
}

async function acquire(name: string, message: string, timeout: number): Promise<boolean> {
  const place = currentPlace(os);
  const rendezvous = rendezvousFor(name, place);
  const uid = place.uid ?? -1;
  log('app', JSON.stringify(name), 'meets at', rendezvous.path);
  const giveUpAt = Date.now() + timeout + 5000;
  for (let attempt = 1; ; attempt++) {
    if (Date.now() > giveUpAt) {
      throw new Error(`requestSingleInstanceLock: after ${attempt - 1} attempts, neither took nor reached the lock of "${name}" at ${rendezvous.path} (it kept changing hands); try again`);
    }
    if (rendezvous.kind === 'unix') {
      preparePrivateDir(rendezvous.dir, uid, warn);
      clearForeign(rendezvous.path, uid, warn);
    }
    const server = await listenOn(rendezvous.path);
    if (server) {
      take(server, rendezvous);
      log('first: holds the lock after', attempt, 'attempt(s)');
      return true;
    }
    const outcome = await handOver(rendezvous.path, message, timeout);
    log('attempt', attempt, ':', outcome);
    switch (outcome) {
      case 'acknowledged':
        return false;
      case 'unanswered':
        warn(`another instance of "${name}" holds the single-instance lock (${rendezvous.path}) but did not acknowledge within ${timeout} ms: it may be hung. This start resolves false as the lock says; if no window of the app answers, end that process and start the app again`);
        return false;
      case 'refused':
        if (rendezvous.kind === 'unix') await takeOverStale(rendezvous.path);
        else await sleep(20);
        break;
      case 'gone':
        break; // the first let go between our bind and connect: bind again
      case 'busy':
      case 'closed':
        await sleep(20 + Math.random() * 30); // a full backlog, or a first that is releasing
        break;
    }
  }
}

function take(server: Server, rendezvous: Rendezvous): void {
  let ino: number | undefined;
  if (rendezvous.kind === 'unix') {
    try {
      chmodSync(rendezvous.path, 0o600);
      ino = statSync(rendezvous.path).ino;
    } catch (error) {
      log('socket file:', String(error));
    }
  }
  server.unref(); // holding the lock does not keep the app running
  const onExit = () => {
    if (held === state) closeHeld(state);
  };
  const state: Held = { server, rendezvous, ino, onExit };
  held = state;
  process.on('exit', onExit);
}

/** A server listening on `path`, or undefined if the path is in use. */
function listenOn(path: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer(receive);
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(new Error(`requestSingleInstanceLock: cannot listen on ${path}: ${error.message}`, { cause: error }));
    });
    server.listen(path, () => resolve(server));
  });
}

/** The first's side of one connection: one line of JSON in, the handlers, `{ ok: true }` out. */
function receive(socket: Socket): void {
  socket.unref();
  socket.setEncoding('utf8');
  socket.setTimeout(30_000, () => socket.destroy());
  socket.on('error', (error) => log('a later start\'s connection:', String(error)));
  let buffer = '';
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    const end = buffer.indexOf('\n');
    if (end < 0) {
      if (buffer.length > MAX_MESSAGE) socket.destroy();
      return;
    }
    socket.removeAllListeners('data');
    const data = parseSecondInstance(buffer.slice(0, end));
    if (!data) {
      log('a later start sent what is not a second-instance message; ignored');
      socket.destroy();
      return;
    }
    const heard = emitAppEvent('second-instance', data);
    log('second instance: argv', data.argv.length, 'items, cwd', data.cwd, ';', heard, 'handler(s)');
    forwardOpenRequests(data.argv, data.cwd);
    socket.end('{"ok":true}\n');
  });
}

/** The message of a later start, checked (it comes from this user, but from any program of theirs). */
export function parseSecondInstance(line: string): SecondInstance | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const { argv, cwd, additionalData } = value as Record<string, unknown>;
  if (!Array.isArray(argv) || !argv.every((item) => typeof item === 'string') || typeof cwd !== 'string') return undefined;
  return additionalData === undefined ? { argv, cwd } : { argv, cwd, additionalData };
}

type HandOver = 'acknowledged' | 'unanswered' | 'refused' | 'gone' | 'busy' | 'closed';

/** A later start's side: connect, send `message`, wait for the acknowledgement (at most `timeout` ms). */
function handOver(path: string, message: string, timeout: number): Promise<HandOver> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    let reply = '';
    const finish = (outcome: HandOver) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('unanswered'), timeout);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${message}\n`));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\n')) finish(/^\{"ok":true\}/.test(reply) ? 'acknowledged' : 'closed');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') finish('refused');
      else if (error.code === 'ENOENT') finish('gone');
      else if (error.code === 'EAGAIN' || error.code === 'EWOULDBLOCK') finish('busy');
      else finish('closed');
    });
    socket.on('close', () => finish('closed'));
  });
}

/** Whether a connect to `path` is refused (as it is on a socket file whose process is gone). */
function refused(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/**
 * Removes the socket at `path` if it is a dead one (two refused connects, 50 ms apart), holding
 * the takeover lock `path.takeover` meanwhile. Returns without removing anything when another
 * process holds that lock (the caller tries again). A takeover lock whose holder is gone is
 * removed.
 */
async function takeOverStale(path: string): Promise<void> {
  const lock = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(lock, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (!lockHolderAlive(lock)) {
      log('removing the takeover lock of a process that is gone');
      unlinkQuietly(lock);
    } else {
      await sleep(20);
    }
    return;
  }
  try {
    writeSync(fd, String(process.pid));
    closeSync(fd);
    const dead = (await refused(path)) && (await sleep(50), await refused(path));
    // Still ours? Two starters that both removed a dead holder's lock each made their own; only
    // the one whose lock is on disk goes on.
    if (dead && holds(lock)) {
      log('taking over a socket left by a process that is gone:', path);
      unlinkQuietly(path);
    }
  } finally {
    if (holds(lock)) unlinkQuietly(lock);
  }
}

/** Whether the takeover lock names this process. */
function holds(lock: string): boolean {
  try {
    return readFileSync(lock, 'utf8') === String(process.pid);
  } catch {
    return false;
  }
}

/** Whether the pid in a takeover lock names a live process (an empty lock counts as live for 2 s: its holder is writing it). */
function lockHolderAlive(lock: string): boolean {
  try {
    const pid = Number(readFileSync(lock, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - statSync(lock).mtimeMs < 2000;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
