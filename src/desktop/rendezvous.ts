// Where the instances of one app meet: a Unix socket in a folder only this user can enter
// (in $XDG_RUNTIME_DIR, else a folder of the user's own under the temporary folder), or a named
// pipe with the user's name in it on Windows. The path computation is pure (the platform, the
// environment and the user are given) so every OS's answer is tested here.
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, unlinkSync, type Stats } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** What the rendezvous depends on: the OS, the environment, the temporary folder and the user. */
export interface Place {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  tmpdir: string;
  /** The user's numeric id (Unix); undefined on Windows. */
  uid: number | undefined;
  username: string;
}

export type Rendezvous =
  /** A Unix socket `path` inside the private folder `dir`. */
  | { kind: 'unix'; dir: string; path: string }
  /** A Windows named pipe (nothing on disk). */
  | { kind: 'pipe'; path: string };

/** sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included. */
const MAX_SOCKET_PATH = 103;

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

/** A readable, file-name-safe version of a name (the hash beside it keeps names apart). */
function slug(name: string, max: number): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+/, '').slice(0, max).replace(/[-.]+$/, '') || 'app';
}

/** The rendezvous of the app `appName` for the user of `place`. */
export function rendezvousFor(appName: string, place: Place): Rendezvous {
  if (place.platform === 'win32') {
    // A pipe name is global to the machine: the user's name keeps two users' apps apart.
    const key = hash(`${place.username}\0${appName}`, 16);
    return { kind: 'pipe', path: `\\\\.\\pipe\\gluon-ts-${slug(place.username, 32)}-${slug(appName, 32)}-${key}` };
  }
  const runtime = place.env.XDG_RUNTIME_DIR;
  // The XDG base directory spec: the runtime folder is the user's own (0700); a relative value is to be ignored.
  const dir = runtime && isAbsolute(runtime) ? join(runtime, 'gluon-ts') : join(place.tmpdir, `gluon-ts-${place.uid ?? slug(place.username, 32)}`);
  let path = join(dir, `${slug(appName, 40)}-${hash(appName, 12)}.sock`);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) path = join(dir, `${hash(appName, 24)}.sock`);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new Error(`the single-instance socket path ${path} is ${Buffer.byteLength(path)} bytes, longer than a Unix socket path may be (${MAX_SOCKET_PATH}): set XDG_RUNTIME_DIR or TMPDIR to a shorter folder`);
  }
  return { kind: 'unix', dir, path };
}

/** The current process's place. */
export function currentPlace(os: { tmpdir(): string; userInfo(): { uid: number; username: string } }): Place {
  const user = os.userInfo();
  return {
    platform: process.platform,
    env: process.env,
    tmpdir: os.tmpdir(),
    uid: process.platform === 'win32' ? undefined : (process.getuid?.() ?? user.uid),
    username: user.username,
  };
}

/** Thrown when the rendezvous folder or socket is not safely this user's and cannot be made so. */
export class UnsafeRendezvousError extends Error {
  override name = 'UnsafeRendezvousError';
}

function kindOf(stat: Stats): string {
  if (stat.isSymbolicLink()) return 'symbolic link';
  if (stat.isFile()) return 'file';
  if (stat.isSocket()) return 'socket';
  return 'special file';
}

/**
 * Makes sure `dir` is a real folder (not a link) of user `uid` that nobody else may enter:
 * creates it 0700 if missing; a folder of the user's with a wider mode is narrowed to 0700 and
 * reported by `warn` (what others may have put in it is judged file by file: safeSocket()).
 * Throws UnsafeRendezvousError for a folder of another user or something that is not a folder.
 */
export function preparePrivateDir(dir: string, uid: number, warn: (message: string) => void): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) {
    throw new UnsafeRendezvousError(`the single-instance folder ${dir} is a ${kindOf(stat)}, not a folder, so the lock is refused: remove it, and start the app again`);
  }
  if (stat.uid !== uid) {
    throw new UnsafeRendezvousError(
      `the single-instance folder ${dir} belongs to user ${stat.uid}, not to this user (${uid}), so the lock is refused: ` +
        `another user could read what this app's later starts send there. Remove that folder (as its owner or root), or set XDG_RUNTIME_DIR to a folder of your own`,
    );
  }
  if ((stat.mode & 0o077) !== 0) {
    chmodSync(dir, 0o700);
    warn(`the single-instance folder ${dir} was open to others (mode ${(stat.mode & 0o777).toString(8)}); it is now 0700 (only this user)`);
  }
}

/**
 * Whether `path` is free or a socket of user `uid`. Anything else (a file, a link, another
 * user's socket, left while the folder was open) is removed and reported by `warn`, so a later
 * start never talks to what another user put there.
 */
export function clearForeign(path: string, uid: number, warn: (message: string) => void): void {
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch {
    return; // nothing there
  }
  if (stat.isSocket() && stat.uid === uid) return;
  unlinkSync(path);
  warn(`removed ${path}: a ${kindOf(stat)} of user ${stat.uid} where this user's single-instance socket belongs`);
}
