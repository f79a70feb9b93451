// One instance per app and user (src/desktop/): the rendezvous path on every OS, the folder
// checks, and real processes meeting there (the fixture test/fixtures/single-instance/app.mjs,
// whose package.json names the app). Each test has its own XDG_RUNTIME_DIR, so tests never meet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rendezvousFor, preparePrivateDir, clearForeign, UnsafeRendezvousError, type Place } from '../../src/desktop/rendezvous.js';
import { parseSecondInstance } from '../../src/desktop/single-instance.js';
import { appNameFor } from '../../src/desktop/app-name.js';
import { on, off, emitAppEvent } from '../../src/desktop/app-events.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const app = join(root, 'test', 'fixtures', 'single-instance', 'app.mjs');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

// ------------------------------------------------------------------ the rendezvous path

const linux: Place = { platform: 'linux', env: { XDG_RUNTIME_DIR: '/run/user/1000' }, tmpdir: '/tmp', uid: 1000, username: 'ada' };

test('the rendezvous: a socket in $XDG_RUNTIME_DIR/gluon-ts, named after the app, the same for the same name and apart for another', () => {
  const notes = rendezvousFor('notes', linux);
  assert.equal(notes.kind, 'unix');
  assert.equal(notes.kind === 'unix' && notes.dir, '/run/user/1000/gluon-ts');
  assert.match(notes.path, /^\/run\/user\/1000\/gluon-ts\/notes-[0-9a-f]{12}\.sock$/);
  assert.deepEqual(rendezvousFor('notes', linux), notes);
  assert.notEqual(rendezvousFor('Notes', linux).path, notes.path, 'names that differ only in case are two apps');
  assert.match(rendezvousFor('@acme/My App!', linux).path, /\/acme-my-app-[0-9a-f]{12}\.sock$/);
});

test('the rendezvous without $XDG_RUNTIME_DIR (or with a relative one): a folder of the user\'s own under the temporary folder', () => {
  for (const env of [{}, { XDG_RUNTIME_DIR: 'relative/dir' }]) {
    const place = { ...linux, env, platform: 'darwin' as const, tmpdir: '/var/folders/xy/T' };
    const found = rendezvousFor('notes', place);
    assert.equal(found.kind === 'unix' && found.dir, '/var/folders/xy/T/gluon-ts-1000');
  }
});

test('the rendezvous stays within a Unix socket path\'s 103 bytes: a long name is hashed, a too-long folder is an error that says what to do', () => {
  const long = rendezvousFor('x'.repeat(200), { ...linux, env: { XDG_RUNTIME_DIR: `/${'d'.repeat(50)}` } });
  assert.ok(Buffer.byteLength(long.path) <= 103, long.path);
  assert.throws(() => rendezvousFor('notes', { ...linux, env: { XDG_RUNTIME_DIR: `/${'d'.repeat(100)}` } }), /longer than a Unix socket path may be \(103\): set XDG_RUNTIME_DIR or TMPDIR to a shorter folder/);
});

test('the rendezvous on Windows (untried there): a named pipe with the user\'s name in it, apart per user and per app', () => {
  const place: Place = { platform: 'win32', env: {}, tmpdir: 'C:\\Temp', uid: undefined, username: 'Ada Lovelace' };
  const pipe = rendezvousFor('notes', place);
  assert.equal(pipe.kind, 'pipe');
  assert.match(pipe.path, /^\\\\\.\\pipe\\gluon-ts-ada-lovelace-notes-[0-9a-f]{16}$/);
  assert.notEqual(rendezvousFor('notes', { ...place, username: 'grace' }).path, pipe.path);
  assert.notEqual(rendezvousFor('other', place).path, pipe.path);
});

// ------------------------------------------------------------------ the private folder

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gluon-single-'));
  chmodSync(dir, 0o700);
  return dir;
}

const uid = process.getuid!();

test('the private folder: made 0700; one of the user\'s that is open to others is narrowed to 0700 with a warning', () => {
  const dir = scratch();
  try {
    const warnings: string[] = [];
    preparePrivateDir(join(dir, 'made'), uid, (text) => warnings.push(text));
    assert.equal(lstatSync(join(dir, 'made')).mode & 0o777, 0o700);
    mkdirSync(join(dir, 'open'));
    chmodSync(join(dir, 'open'), 0o777);
    preparePrivateDir(join(dir, 'open'), uid, (text) => warnings.push(text));
    assert.equal(lstatSync(join(dir, 'open')).mode & 0o777, 0o700);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /was open to others \(mode 777\); it is now 0700/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the private folder: a link or another user\'s folder is refused, saying why and what to do', () => {
  const dir = scratch();
  try {
    mkdirSync(join(dir, 'elsewhere'), { mode: 0o700 });
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'link'));
    assert.throws(() => preparePrivateDir(join(dir, 'link'), uid, () => {}), (error: Error) => error instanceof UnsafeRendezvousError && /is a symbolic link, not a folder, so the lock is refused/.test(error.message));
    mkdirSync(join(dir, 'theirs'), { mode: 0o700 });
    assert.throws(() => preparePrivateDir(join(dir, 'theirs'), uid + 1, () => {}), new RegExp(`belongs to user ${uid}, not to this user \\(${uid + 1}\\), so the lock is refused.*Remove that folder`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what is not this user\'s socket where the socket belongs (a file, another user\'s socket) is removed with a warning', () => {
  const dir = scratch();
  try {
    const warnings: string[] = [];
    writeFileSync(join(dir, 'app.sock'), 'planted');
    clearForeign(join(dir, 'app.sock'), uid, (text) => warnings.push(text));
    assert.equal(existsSync(join(dir, 'app.sock')), false);
    assert.match(warnings[0], /removed .*app\.sock: a file of user/);
    clearForeign(join(dir, 'app.sock'), uid, (text) => warnings.push(text));
    assert.equal(warnings.length, 1, 'nothing there: nothing to say');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------ the message, the name, the events

test('a later start\'s message is checked: argv of strings and a cwd, additionalData kept; anything else is not one', () => {
  assert.deepEqual(parseSecondInstance('{"argv":["node","app.js","x"],"cwd":"/home/ada"}'), { argv: ['node', 'app.js', 'x'], cwd: '/home/ada' });
  assert.deepEqual(parseSecondInstance('{"argv":[],"cwd":"/","additionalData":{"n":1}}'), { argv: [], cwd: '/', additionalData: { n: 1 } });
  for (const bad of ['', 'null', '[]', '{"argv":"x","cwd":"/"}', '{"argv":[1],"cwd":"/"}', '{"argv":[]}', '{not json']) {
    assert.equal(parseSecondInstance(bad), undefined, bad);
  }
});

test('the app name: the nearest package.json\'s name above the entry, else the entry file\'s name', () => {
  assert.equal(appNameFor(app), 'single-instance-fixture');
  const dir = scratch();
  try {
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"outer"}');
    writeFileSync(join(dir, 'a', 'package.json'), 'not json');
    writeFileSync(join(dir, 'a', 'b', 'main.js'), '');
    assert.equal(appNameFor(join(dir, 'a', 'b', 'main.js')), 'outer');
    assert.equal(appNameFor(undefined), 'app');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Gluon.on returns its unsubscribe function; Gluon.off removes a handler; a throwing handler does not stop the next', () => {
  const heard: string[] = [];
  const first = (data: { cwd: string }) => heard.push(`first ${data.cwd}`);
  const second = () => {
    heard.push('second');
    throw new Error('a handler failed');
  };
  const third = () => heard.push('third');
  const stop = on('second-instance', first);
  on('second-instance', second);
  on('second-instance', third);
  const thrown: unknown[] = [];
  assert.equal(emitAppEvent('second-instance', { argv: [], cwd: '/a' }, (error) => thrown.push(error)), 3);
  assert.deepEqual(heard, ['first /a', 'second', 'third']);
  assert.match(String(thrown), /a handler failed/, 'the error is thrown again, after the other handlers ran');
  stop();
  off('second-instance', second);
  off('second-instance', third);
  assert.equal(emitAppEvent('second-instance', { argv: [], cwd: '/b' }), 0);
  assert.throws(() => on('second-instance', 'not a function' as never), /the handler must be a function, got string/);
});

// ------------------------------------------------------------------ real processes

interface Started {
  child: ChildProcess;
  /** Each JSON line printed so far. */
  lines: any[];
  stderr: () => string;
  /** The first line (already printed or to come) that `match` accepts. */
  line(match: (line: any) => boolean, what: string, timeout?: number): Promise<any>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(runtimeDir: string, o: { args?: string[]; cwd?: string; data?: unknown; runtime?: string[] } = {}): Started {
  const [command, ...before] = o.runtime ?? [process.execPath];
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: runtimeDir, GLUON_TEST_DATA: o.data === undefined ? '' : JSON.stringify(o.data) };
  delete env.GLUON_DEBUG;
  const child = spawn(command, [...before, app, ...(o.args ?? [])], { cwd: o.cwd ?? root, env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.on('error', () => {});
  const lines: any[] = [];
  let stdout = '';
  let stderr = '';
  const waiting = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    let end;
    while ((end = stdout.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(stdout.slice(0, end)));
      stdout = stdout.slice(end + 1);
    }
    for (const wake of waiting) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => {
    resolve({ code, signal });
    for (const wake of waiting) wake();
  }));
  const line = (match: (line: any) => boolean, what: string, timeout = 20_000) =>
    new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => done(() => reject(new Error(`pid ${child.pid}: no ${what} within ${timeout} ms; printed ${JSON.stringify(lines)}\n${stderr}`))), timeout);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiting.delete(check);
        settle();
      };
      const check = () => {
        const found = lines.find(match);
        if (found) done(() => resolve(found));
        else if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`pid ${child.pid} ended (${child.exitCode ?? child.signalCode}) without ${what}; printed ${JSON.stringify(lines)}\n${stderr}`)));
      };
      waiting.add(check);
      check();
    });
  return { child, lines, stderr: () => stderr, line, exited };
}

const lockLine = (run: Started) => run.line((line) => 'lock' in line, 'lock line').then((line) => line.lock as boolean);

/** Ends a started app (its stdin closing ends it) and waits for it. */
async function end(...runs: Started[]): Promise<void> {
  for (const run of runs) run.child.stdin!.end();
  await Promise.all(runs.map((run) => run.exited));
}

function withRuntimeDir(body: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = scratch();
    try {
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('the first start gets true; a second gets false once the first heard its argv, cwd and additionalData', withRuntimeDir(async (dir) => {
  const first = start(dir);
  try {
    assert.equal(await lockLine(first), true);
    const elsewhere = scratch();
    try {
      const second = start(dir, { args: ['--open', 'notes.txt'], cwd: elsewhere, data: { from: 'second' } });
      assert.equal(await lockLine(second), false);
      assert.deepEqual(await second.exited, { code: 0, signal: null }, second.stderr());
      const { heard } = await first.line((line) => 'heard' in line, 'second-instance event', 1000); // printed before the acknowledgement
      assert.deepEqual(heard, { argv: [process.execPath, app, '--open', 'notes.txt'], cwd: elsewhere, additionalData: { from: 'second' } });
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
    const socket = (rendezvousFor('single-instance-fixture', { platform: process.platform, env: { XDG_RUNTIME_DIR: dir }, tmpdir: tmpdir(), uid, username: '' }));
    assert.equal(lstatSync(socket.path).mode & 0o777, 0o600, 'the socket is the user\'s only');
    assert.equal(lstatSync(join(dir, 'gluon-ts')).mode & 0o777, 0o700);
    await end(first);
    assert.equal(existsSync(socket.path), false, 'the first removes its socket when it exits');
  } finally {
    first.child.kill('SIGKILL');
  }
}));

test('20 starts at once: exactly one gets true, the 19 others false, and the first hears all 19', { timeout: 120_000 }, withRuntimeDir(async (dir) => {
  const runs = Array.from({ length: 20 }, (_, index) => start(dir, { args: [`start-${index}`] }));
  try {
    const locks = await Promise.all(runs.map(lockLine));
    assert.equal(locks.filter(Boolean).length, 1, `got ${JSON.stringify(locks)}`);
    const first = runs[locks.indexOf(true)];
    await first.line(() => first.lines.filter((line) => 'heard' in line).length === 19, '19 second-instance events', 5000);
    const heardFrom = first.lines.filter((line) => 'heard' in line).map((line) => line.heard.argv[2]).sort();
    const others = runs.filter((run) => run !== first).map((run) => run.child.spawnargs.at(-1)).sort();
    assert.deepEqual(heardFrom, others);
  } finally {
    for (const run of runs) run.child.kill('SIGKILL');
  }
}));

test('a first killed with SIGKILL leaves its socket; the next start takes it over (also past a takeover lock its dead holder left)', withRuntimeDir(async (dir) => {
  const path = rendezvousFor('single-instance-fixture', { platform: process.platform, env: { XDG_RUNTIME_DIR: dir }, tmpdir: tmpdir(), uid, username: '' }).path;
  const runs: Started[] = [];
  try {
    const first = start(dir);
    runs.push(first);
    assert.equal(await lockLine(first), true);
    first.child.kill('SIGKILL');
    await first.exited;
    assert.ok(lstatSync(path).isSocket(), 'the dead first left its socket file');
    const next = start(dir);
    runs.push(next);
    assert.equal(await lockLine(next), true, 'the next start took the dead socket over');
    const later = start(dir);
    runs.push(later);
    assert.equal(await lockLine(later), false, 'the one that took over is the first now');

    next.child.kill('SIGKILL');
    await next.exited;
    writeFileSync(`${path}.takeover`, String(next.child.pid)); // as if it died while taking over
    const third = start(dir);
    runs.push(third);
    assert.equal(await lockLine(third), true);
    assert.equal(existsSync(`${path}.takeover`), false);
  } finally {
    for (const run of runs) run.child.kill('SIGKILL');
  }
}));

test('releaseSingleInstanceLock(): the next start gets true while the old first still runs', withRuntimeDir(async (dir) => {
  const first = start(dir);
  const runs = [first];
  try {
    assert.equal(await lockLine(first), true);
    first.child.stdin!.write('release\n');
    assert.deepEqual(await first.line((line) => 'released' in line, 'released line'), { released: true, has: false });
    const next = start(dir);
    runs.push(next);
    assert.equal(await lockLine(next), true);
    assert.equal(first.lines.some((line) => 'heard' in line), false, 'the released first hears nothing');
    await end(first, next);
  } finally {
    for (const run of runs) run.child.kill('SIGKILL');
  }
}));

test('a rendezvous folder open to others is narrowed to 0700 and a file planted in it removed, with warnings; another user\'s folder is refused', withRuntimeDir(async (dir) => {
  const folder = join(dir, 'gluon-ts');
  const path = rendezvousFor('single-instance-fixture', { platform: process.platform, env: { XDG_RUNTIME_DIR: dir }, tmpdir: tmpdir(), uid, username: '' }).path;
  mkdirSync(folder, { mode: 0o700 });
  chmodSync(folder, 0o777);
  writeFileSync(path, 'planted');
  const repaired = start(dir);
  try {
    assert.equal(await lockLine(repaired), true);
    assert.equal(lstatSync(folder).mode & 0o777, 0o700);
    assert.ok(lstatSync(path).isSocket());
    assert.match(repaired.stderr(), /GLUON_SINGLE_INSTANCE.*was open to others \(mode 777\); it is now 0700/);
    assert.match(repaired.stderr(), /removed .*\.sock: a file of user/);
    await end(repaired);
  } finally {
    repaired.child.kill('SIGKILL');
  }
  if (uid !== 0) return; // giving the folder to another user needs root
  chownSync(folder, 65534, 65534);
  const refused = start(dir);
  const { code } = await refused.exited;
  assert.equal(code, 1);
  assert.match(refused.stderr(), /UnsafeRendezvousError: the single-instance folder .* belongs to user 65534, not to this user \(0\), so the lock is refused/);
}));

// Bun and Deno run the same fixture (their binaries are devDependencies, as in runtimes.e2e.test.ts).
const runtimes = { bun: [bin('bun')], deno: [bin('deno'), 'run', '-A'] };
const missing = Object.entries(runtimes).find(([, [command]]) => spawnSync(command, ['--version']).status !== 0)?.[0];

test('Node, Bun and Deno meet at one rendezvous: each first hears the others, a SIGKILLed Bun or Deno first is taken over', { skip: missing && `${missing} is not installed (npm ci puts it in node_modules/.bin)`, timeout: 120_000 }, withRuntimeDir(async (dir) => {
  const all: Record<string, string[]> = { node: [process.execPath], ...runtimes };
  for (const [name, runtime] of Object.entries(all)) {
    const first = start(dir, { runtime });
    const runs = [first];
    try {
      assert.equal(await lockLine(first), true, `${name} first`);
      for (const [otherName, other] of Object.entries(all)) {
        const second = start(dir, { runtime: other, args: [otherName] });
        runs.push(second);
        assert.equal(await lockLine(second), false, `${otherName} after ${name}`);
        const { heard } = await first.line((line) => line.heard?.argv.at(-1) === otherName, `${name} hearing ${otherName}`, 2000);
        assert.equal(heard.cwd, root);
      }
      first.child.kill('SIGKILL');
      await first.exited;
    } finally {
      for (const run of runs) run.child.kill('SIGKILL');
    }
  }
  const last = start(dir);
  assert.equal(await lockLine(last), true, 'the dead first of the last round was taken over');
  await end(last);
}));
