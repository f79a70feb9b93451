// The one way src/desktop/ runs the OS's tools (src/desktop/command.ts): an argv array with no
// shell between, stdin given, a timeout, a replaceable runner; and the session bus helper
// (src/desktop/dbus.ts) against a private bus when dbus-run-session is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { findCommand, runCommand, setCommandRunner, type CommandResult } from '../../src/desktop/command.js';

test('arguments reach the program as given, never through a shell', async () => {
  const tricky = ['a b', "it's", '"q"', '$(touch /nonexistent)', 'line\nbreak', 'é 😀', '; rm -rf /', '*'];
  const result = await runCommand(process.execPath, ['-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...tricky]);
  assert.equal(result.code, 0);
  assert.deepEqual(JSON.parse(result.stdout.toString('utf8')), tricky);
});

test('stdin, exit codes, stderr and the timeout', async () => {
  const echo = await runCommand(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { input: 'héllo\0bytes' });
  assert.equal(echo.stdout.toString('utf8'), 'héllo\0bytes');
  const failed = await runCommand(process.execPath, ['-e', 'console.error("why"); process.exit(3)']);
  assert.deepEqual([failed.code, failed.stderr.trim()], [3, 'why']);
  const started = Date.now();
  await assert.rejects(runCommand(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { timeout: 300 }), /did not end within 300 ms/);
  assert.ok(Date.now() - started < 5000);
  await assert.rejects(runCommand('/nonexistent/program', []), /could not be started/);
});

test('findCommand looks on the PATH; a test can replace the runner and the finder', async () => {
  assert.equal(findCommand('node-not-a-program-here'), undefined);
  assert.ok(findCommand(process.execPath));
  const calls: string[][] = [];
  const restore = setCommandRunner(
    async (file, args): Promise<CommandResult> => {
      calls.push([file, ...args]);
      return { code: 0, signal: null, stdout: Buffer.from('faked'), stderr: '' };
    },
    (name) => (name === 'osascript' ? '/usr/bin/osascript' : undefined),
  );
  try {
    assert.equal(findCommand('osascript'), '/usr/bin/osascript');
    assert.equal((await runCommand('osascript', ['-e', 'x'])).stdout.toString(), 'faked');
    assert.deepEqual(calls, [['osascript', '-e', 'x']]);
  } finally {
    restore();
  }
  assert.equal(findCommand('osascript'), findCommand('osascript'));
  assert.notEqual((await runCommand(process.execPath, ['-e', 'process.stdout.write("real")'])).stdout.toString(), 'faked');
});

const haveBus = spawnSync('dbus-run-session', ['--version']).status === 0;
test('the session bus: a call keeps the process alive until its reply, then lets it end', { skip: haveBus ? false : 'dbus-run-session is not installed (Debian: dbus)' }, () => {
  const module = new URL('../../src/desktop/dbus.js', import.meta.url).href;
  const script = `import { withSessionBus } from ${JSON.stringify(module)};
    const names = await withSessionBus(async (bus) => (await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus').ListNames());
    console.log(JSON.stringify(names.includes('org.freedesktop.DBus')));`;
  const run = spawnSync('dbus-run-session', ['--', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'true');
});

test('forks: a command whose forked child keeps the output pipes open resolves when the command exits', async () => {
  // The child lives 2 s holding stdout and stderr (as xclip -i does until the clipboard changes hands).
  const forker = `require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 2000)'], { stdio: 'inherit', detached: true }).unref(); process.stdout.write('forked')`;
  const started = Date.now();
  const result = await runCommand(process.execPath, ['-e', forker], { forks: true, timeout: 10_000 });
  assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  assert.equal(result.code, 0);
  // A failing one forks nothing and is read to the end.
  const failed = await runCommand(process.execPath, ['-e', 'console.error("no display"); process.exit(1)'], { forks: true });
  assert.deepEqual([failed.code, failed.stderr.trim()], [1, 'no display']);
});

test('the session bus: a call on a bus that cannot be reached rejects instead of waiting forever', () => {
  const module = new URL('../../src/desktop/dbus.js', import.meta.url).href;
  const script = `import { withSessionBus } from ${JSON.stringify(module)};
    try {
      await withSessionBus(async (bus) => (await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus').ListNames());
      console.log('answered');
    } catch (error) { console.log('rejected'); }`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/gluon-test-bus' } });
  assert.equal(run.stdout.trim(), 'rejected', `${run.stdout}${run.stderr} (status ${run.status}, signal ${run.signal})`);
});
