// The browser process owner, with real processes: a small `node -e` "browser" that
// starts a helper grandchild (like Chromium's renderers), killed as a process group.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnBrowser, type BrowserProcess } from '../../src/browser/process.js';

const skip = process.platform === 'win32' ? 'process groups are POSIX-only' : false;

/** Alive = signal 0 works and, on Linux, it is not a zombie waiting for a reaper. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  }
  return true;
}

async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

/**
 * A fake browser: prints `PIDS <self> <grandchild>` on stderr and stays alive.
 * `ignoreTerm` makes the process (and/or its helper) survive SIGTERM.
 */
function fakeBrowserScript(o: { parentIgnoresTerm?: boolean; childIgnoresTerm?: boolean }): string {
  // The helper shares our stderr (as Chromium's do) and says READY once its handlers are set.
  const childCode =
    `${o.childIgnoresTerm ? 'process.on("SIGTERM", () => {});' : ''}` +
    `console.error('READY'); setInterval(() => {}, 1000);`;
  return [
    `const { spawn } = require('node:child_process');`,
    o.parentIgnoresTerm ? `process.on('SIGTERM', () => {});` : '',
    `const g = spawn(process.execPath, ['-e', ${JSON.stringify(childCode)}], { stdio: ['ignore', 'ignore', 'inherit'] });`,
    `console.error('PIDS ' + process.pid + ' ' + g.pid);`,
    `setInterval(() => {}, 1000);`,
  ].join('\n');
}

async function startFake(o: Parameters<typeof fakeBrowserScript>[0] = {}, pipe = false) {
  const lines: string[] = [];
  const proc = spawnBrowser(process.execPath, ['-e', fakeBrowserScript(o)], { pipe, onStderr: (l) => lines.push(l) });
  const ready = () => lines.some((l) => l.startsWith('PIDS ')) && lines.includes('READY');
  assert.ok(await eventually(ready, 5000), 'fake browser did not start');
  const [, parent, grandchild] = lines.find((l) => l.startsWith('PIDS '))!.split(' ').map(Number);
  return { proc, lines, parent: parent!, grandchild: grandchild! };
}

async function assertAllGone(proc: BrowserProcess, pids: number[]) {
  for (const pid of pids) assert.ok(await eventually(() => !isAlive(pid)), `pid ${pid} still alive`);
  assert.equal(proc.hasExited, true);
}

describe('spawnBrowser', { skip, timeout: 20_000 }, () => {
  test('kill() takes the browser and its helpers; exited resolves', async () => {
    const { proc, parent, grandchild } = await startFake();
    assert.equal(proc.pid, parent);
    assert.ok(isAlive(parent) && isAlive(grandchild));
    assert.equal(proc.hasExited, false);
    assert.match(proc.stderrTail(), /PIDS \d+ \d+/);
    await proc.kill(1000);
    assert.deepEqual(await proc.exited, { code: null, signal: 'SIGTERM' });
    await assertAllGone(proc, [parent, grandchild]);
  });

  test('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const { proc, parent, grandchild } = await startFake({ parentIgnoresTerm: true, childIgnoresTerm: true });
    const t0 = Date.now();
    await proc.kill(300);
    assert.ok(Date.now() - t0 >= 250, 'should have waited for the grace period');
    assert.equal(proc.hasExited, true, 'kill() should return only once the browser is gone');
    assert.equal((await proc.exited).signal, 'SIGKILL');
    await assertAllGone(proc, [parent, grandchild]);
  });

  test('kills a helper that outlives the browser', async () => {
    const { proc, parent, grandchild } = await startFake({ childIgnoresTerm: true });
    await proc.kill(1000);
    assert.equal((await proc.exited).signal, 'SIGTERM');
    await assertAllGone(proc, [parent, grandchild]);
  });

  test('killNow() is synchronous SIGKILL of the group', async () => {
    const { proc, parent, grandchild } = await startFake({ parentIgnoresTerm: true, childIgnoresTerm: true });
    proc.killNow();
    assert.equal((await proc.exited).signal, 'SIGKILL');
    await assertAllGone(proc, [parent, grandchild]);
  });

  test('pipe: true opens fds 3 and 4', async () => {
    const piped = spawnBrowser(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { pipe: true });
    const plain = spawnBrowser(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { pipe: false });
    try {
      assert.ok(piped.child.stdio[3] && piped.child.stdio[4]);
      assert.equal(plain.child.stdio[3], null);
      assert.equal(plain.child.stdio[4], null);
    } finally {
      await Promise.all([piped.kill(500), plain.kill(500)]);
    }
  });

  test('stderr tail is bounded and lines reach onStderr', async () => {
    const lines: string[] = [];
    const script = `for (let i = 0; i < 2000; i++) console.error('line ' + i + ' ' + 'x'.repeat(20));`;
    const proc = spawnBrowser(process.execPath, ['-e', script], { pipe: false, onStderr: (l) => lines.push(l) });
    assert.deepEqual(await proc.exited, { code: 0, signal: null });
    await eventually(() => lines.length === 2000);
    assert.equal(lines.length, 2000);
    assert.equal(lines[1999], 'line 1999 ' + 'x'.repeat(20));
    const tail = proc.stderrTail();
    assert.ok(tail.length <= 8 * 1024 && tail.length > 4 * 1024, String(tail.length));
    assert.ok(tail.endsWith('line 1999 ' + 'x'.repeat(20) + '\n'));
  });

  test('the watchdog shell guards the browser while it runs, and goes with it', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const { proc, parent, grandchild } = await startFake();
    const watchdogs = () => readdirSync('/proc').filter((entry) => {
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        return args.includes('gluon-watchdog') && args.includes(String(parent)) && isAlive(Number(entry));
      } catch {
        return false;
      }
    });
    const running = watchdogs().length;
    await proc.kill();
    assert.equal(running, 1, 'one watchdog for the browser');
    await assertAllGone(proc, [parent, grandchild]);
    assert.ok(await eventually(() => watchdogs().length === 0), 'the watchdog is gone with the browser');
  });

  test('a missing executable throws', () => {
    assert.throws(() => spawnBrowser('/nonexistent/gluon-ts-browser', [], { pipe: true }), /Could not start the browser/);
  });
});

// killAllOnExit is process-wide, so it runs in a child Node that imports the compiled module.
const processModule = fileURLToPath(new URL('../../src/browser/process.js', import.meta.url));

function runHost(body: string): { host: ReturnType<typeof spawn>; pids: Promise<number[]>; exit: Promise<[number | null, string | null]> } {
  const script = `
    import { spawnBrowser, killAllOnExit } from ${JSON.stringify(processModule)};
    const script = ${JSON.stringify(fakeBrowserScript({ parentIgnoresTerm: true, childIgnoresTerm: true }))};
    let onReady, pidsLine;
    const ready = new Promise((r) => (onReady = r));
    const proc = spawnBrowser(process.execPath, ['-e', script], {
      pipe: false,
      onStderr: (l) => {
        if (l.startsWith('PIDS ')) pidsLine = l;
        if (l === 'READY') { console.log(pidsLine); onReady(); }
      },
    });
    const unregister = killAllOnExit(proc);
    ${body}
  `;
  const host = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const pids = new Promise<number[]>((resolve) => {
    host.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /PIDS (\d+) (\d+)/.exec(out);
      if (m) resolve([Number(m[1]), Number(m[2])]);
    });
  });
  const exit = new Promise<[number | null, string | null]>((resolve) => host.on('exit', (c, s) => resolve([c, s])));
  return { host, pids, exit };
}

describe('killAllOnExit', { skip, timeout: 20_000 }, () => {
  test('SIGTERM to Node kills the browser group and Node dies of SIGTERM', async () => {
    const { host, pids, exit } = runHost('');
    const [parent, grandchild] = await pids;
    host.kill('SIGTERM');
    assert.deepEqual(await exit, [null, 'SIGTERM']);
    for (const pid of [parent!, grandchild!]) assert.ok(await eventually(() => !isAlive(pid)), `pid ${pid} alive`);
  });

  test('SIGKILL to Node: the watchdog kills the browser group within 2 s, SIGTERM-proof helpers included', async () => {
    const { host, pids, exit } = runHost('');
    const [parent, grandchild] = await pids;
    const killedAt = Date.now();
    host.kill('SIGKILL');
    try {
      assert.deepEqual(await exit, [null, 'SIGKILL']);
      for (const pid of [parent!, grandchild!]) assert.ok(await eventually(() => !isAlive(pid), 2000), `pid ${pid} alive 2 s after Node's SIGKILL`);
      const goneMs = Date.now() - killedAt;
      assert.ok(goneMs < 2000, `gone after ${goneMs} ms`);
    } finally {
      for (const pid of [parent!, grandchild!]) if (isAlive(pid)) process.kill(pid, 'SIGKILL'); // a failed run leaves nothing
    }
  });

  test("the app's own signal listener decides how to exit", async () => {
    const { host, pids, exit } = runHost(`process.on('SIGINT', () => setTimeout(() => process.exit(7), 50));`);
    const [parent, grandchild] = await pids;
    host.kill('SIGINT');
    assert.deepEqual(await exit, [7, null]);
    for (const pid of [parent!, grandchild!]) assert.ok(await eventually(() => !isAlive(pid)), `pid ${pid} alive`);
  });

  test('process.exit() kills the browser', async () => {
    const { pids, exit } = runHost(`ready.then(() => process.exit(3));`);
    const [parent, grandchild] = await pids;
    assert.deepEqual(await exit, [3, null]);
    for (const pid of [parent!, grandchild!]) assert.ok(await eventually(() => !isAlive(pid)), `pid ${pid} alive`);
  });

  test('the handlers do not keep Node alive once the browser is gone', async () => {
    const { pids, exit } = runHost(`ready.then(async () => { await proc.kill(200); unregister(); });`);
    await pids;
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<'stuck'>((r) => (timer = setTimeout(() => r('stuck'), 8000)));
    const result = await Promise.race([exit, stuck]);
    clearTimeout(timer);
    assert.deepEqual(result, [0, null], 'host Node did not exit by itself');
  });
});
