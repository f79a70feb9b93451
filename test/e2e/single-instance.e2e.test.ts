// One instance, as a user meets it on a desktop (X11 with a window manager): the app is running
// with its window minimized; starting it again (same app, so same name) does not open a second
// window: the later start hands over its arguments and exits with false, and the first shows its
// window again with the arguments in its page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE, fixture, killMarked, MARK_VARIABLE, newMark, runNode, waitForNoneMarked } from './helpers.js';
import { startDisplay, x11Missing } from './x11.js';

test(`a second start of a running app hands its argv to the first and exits false; the first shows its window with them (${ENGINE})`, { skip: x11Missing(true), timeout: 120_000 }, async () => {
  const display = await startDisplay({ windowManager: true });
  const runtimeDir = mkdtempSync(join(tmpdir(), 'gluon-single-e2e-'));
  chmodSync(runtimeDir, 0o700);
  const mark = newMark();
  const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: display.name, XDG_RUNTIME_DIR: runtimeDir, [MARK_VARIABLE]: mark };
  delete env.GLUON_HEADLESS;
  delete env.WAYLAND_DISPLAY;
  const app = fixture('single-instance', 'window.mjs');
  const first = spawn(process.execPath, [app], { cwd: fixture('single-instance'), env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  first.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  first.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const printed = (key: string, timeout: number) => new Promise<any>((resolve, reject) => {
    const end = Date.now() + timeout;
    const look = () => {
      const line = stdout.split('\n').filter(Boolean).map((text) => JSON.parse(text)).find((value) => key in value);
      if (line) resolve(line);
      else if (Date.now() > end || first.exitCode !== null) reject(new Error(`the first app printed no "${key}" line (exit ${first.exitCode})\nstdout: ${stdout}\nstderr: ${stderr}`));
      else setTimeout(look, 50);
    };
    look();
  });
  try {
    const ready = await printed('lock', 60_000);
    assert.equal(ready.lock, true);
    assert.equal(ready.visibility, 'hidden', 'the first minimized its window');

    const second = await runNode(app, ['--open', 'notes.txt'], { cwd: runtimeDir, env, timeout: 30_000 });
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(JSON.parse(second.stdout), { lock: false });

    const { shown } = await printed('shown', 20_000);
    assert.deepEqual(shown, { text: 'opened: --open notes.txt', visibility: 'visible', cwd: runtimeDir });
    first.stdin.end();
    assert.equal(await new Promise((resolve) => first.on('close', resolve)), 0, stderr);
    assert.deepEqual((await waitForNoneMarked(mark, 10_000)).left, [], 'nothing of the app is left once it closed');
  } finally {
    first.kill('SIGKILL');
    killMarked(mark);
    await display.stop();
    rmSync(runtimeDir, { recursive: true, force: true });
  }
});
