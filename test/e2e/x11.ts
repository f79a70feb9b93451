// A private X display for the tests of what a person sees: a virtual screen (Xvfb) on a display
// number of its own, with a real window manager on it (openbox) when the test needs one (move,
// minimize, maximize, focus). Read with xprop (x11-utils), driven with xdotool, as a user would.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether `command` is on the PATH. */
export const hasCommand = (command: string): boolean => spawnSync('sh', ['-c', 'command -v "$0"', command], { stdio: 'ignore' }).status === 0;

/** Why the X tests cannot run here, or false if they can (for `test(..., { skip })`). */
export function x11Missing(windowManager = false): string | false {
  const needed = [['Xvfb', 'xvfb'], ['xprop', 'x11-utils'], ['xdotool', 'xdotool'], ...(windowManager ? [['openbox', 'openbox']] : [])];
  const missing = needed.filter(([command]) => !hasCommand(command!));
  return missing.length ? `needs ${missing.map(([c]) => c).join(', ')} (apt-get install ${missing.map(([, p]) => p).join(' ')})` : false;
}

export interface Display {
  /** ':N' */
  name: string;
  /** Runs an X client (xprop, xdotool, ...) on this display; its stdout, or throws with its stderr. */
  run(command: string, args: string[]): string;
  /** The id of the newest visible X window titled `title`, once there is one (throws after `timeout` ms). */
  windowTitled(title: string, timeout?: number): Promise<string>;
  /** Stops the window manager and the X server. */
  stop(): Promise<void>;
}

/**
 * Starts Xvfb on a free display number (it picks one itself and tells it on a pipe), and openbox on
 * it if `windowManager`. Sets nothing in process.env: give `name` to what should use it.
 */
export async function startDisplay({ windowManager = false, size = '1280x800' } = {}): Promise<Display> {
  const server = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${size}x24`, '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let serverErr = '';
  server.stderr!.on('data', (chunk) => (serverErr += chunk));
  const number = await new Promise<string>((resolve, reject) => {
    let text = '';
    (server.stdio[3] as NodeJS.ReadableStream).on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.trim());
    });
    server.on('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it had a display: ${serverErr}`)));
  });
  const name = `:${number}`;
  const env = { ...process.env, DISPLAY: name };
  const run = (command: string, args: string[]) => {
    const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: 15_000 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`);
    return result.stdout;
  };
  let wm: ChildProcess | undefined;
  if (windowManager) {
    // The window manager is up once the root window names its check window. An openbox that exits
    // at once (seen a few times in a full suite run, with exit code 1) is started again, twice at most.
    let wmErr = '';
    const startWm = () => {
      const child = spawn('openbox', ['--sm-disable'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (chunk) => (wmErr += chunk));
      return child;
    };
    wm = startWm();
    const deadline = Date.now() + 10_000;
    for (let restarts = 0; !/window id #/.test(spawnSync('xprop', ['-root', '_NET_SUPPORTING_WM_CHECK'], { env, encoding: 'utf8' }).stdout ?? '');) {
      if (wm.exitCode !== null && restarts < 2 && Date.now() < deadline) {
        restarts++;
        wm = startWm();
      } else if (Date.now() >= deadline || wm.exitCode !== null) {
        // Nothing left behind: a running Xvfb would keep the test process alive.
        const exited: number | null = wm.exitCode;
        wm.kill();
        server.kill();
        assert.fail(`openbox did not start within 10 s on ${name}${exited !== null ? ` (it exited with ${exited}, started ${restarts + 1} times)` : ''}: ${wmErr.trim() || '(it printed nothing)'}`);
      }
      await sleep(50);
    }
  }
  const ended = (child: ChildProcess) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve())));
  const windowTitled = async (title: string, timeout = 15_000) => {
    for (const deadline = Date.now() + timeout; ; await sleep(50)) {
      const found = spawnSync('xdotool', ['search', '--onlyvisible', '--name', title], { env, encoding: 'utf8' }).stdout?.trim().split('\n').at(-1);
      if (found) return found;
      assert.ok(Date.now() < deadline, `no visible X window titled ${title} within ${timeout} ms`);
    }
  };
  return {
    name,
    run,
    windowTitled,
    async stop() {
      for (const child of [wm, server]) {
        if (!child) continue;
        child.kill();
        await ended(child);
      }
    },
  };
}
