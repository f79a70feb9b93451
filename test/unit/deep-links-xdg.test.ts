// The acceptance of deep links on Linux, as a user would see it: the app's registration installed
// for a user (temporary XDG_DATA_HOME and XDG_CONFIG_HOME), the app running (the fixture
// test/fixtures/deep-link/app.mjs holds the single-instance lock and prints what it hears), then
// the real `xdg-open myapp://...` and `xdg-open file.md`: xdg-open finds the desktop entry,
// starts its Exec as a later instance, which hands its command line to the running one.
// No browser and no window: xdg-open's generic mode only asks that a display variable be set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installForUser, uninstallForUser } from '../../src/desktop/install.js';
import { findCommand } from '../../src/desktop/command.js';
import { builtFixture, fixture } from './deep-link-fixture.js';

const inCI = process.env.CI === 'true';
// mimetype (libfile-mimeinfo-perl) is what xdg-mime's generic mode asks a file's type of; without
// it, `file` calls a .md file text/plain and the app's own types are unknown.
const TOOLS = ['xdg-open', 'xdg-mime', 'update-mime-database', 'update-desktop-database', 'mimetype'];
const missing = TOOLS.filter((name) => !findCommand(name));

test('xdg-open gtsfixture://... and xdg-open file.md reach the running app as open-url and open-file; without the registration they do not', { skip: !inCI && missing.length > 0 && `not installed: ${missing.join(', ')} (xdg-utils, desktop-file-utils, shared-mime-info, libfile-mimeinfo-perl)` }, async () => {
  assert.deepEqual(missing, [], 'CI installs xdg-utils, desktop-file-utils, shared-mime-info and libfile-mimeinfo-perl (.ci/run)');
  const dir = mkdtempSync(join(tmpdir(), 'gluon-xdg-'));
  const data = join(dir, 'data');
  const config = join(dir, 'config');
  const runtime = join(dir, 'run');
  const work = join(dir, 'work');
  mkdirSync(runtime, { mode: 0o700 });
  mkdirSync(work);
  writeFileSync(join(work, 'read me.md'), '# hi');
  writeFileSync(join(work, 'x.gtsnote'), 'note');
  // A user's session reduced to what xdg-open reads: no desktop named (its generic mode, which
  // reads mimeapps.list and the desktop database), no session bus, and no browser to fall back on.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    XDG_DATA_HOME: data,
    XDG_CONFIG_HOME: config,
    XDG_RUNTIME_DIR: runtime,
    XDG_CURRENT_DESKTOP: 'X-Generic',
    DISPLAY: ':gluon-test-none',
    BROWSER: 'false',
  };
  const place = { platform: 'linux' as const, env, home: env.HOME! };
  const first = spawn(process.execPath, [join(fixture, 'app.mjs')], { cwd: dir, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const heard: unknown[] = [];
  let buffer = '';
  let wake = () => {};
  first.stdout.setEncoding('utf8');
  first.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      heard.push(JSON.parse(buffer.slice(0, end)));
      buffer = buffer.slice(end + 1);
    }
    wake();
  });
  const next = async (count: number) => {
    const until = Date.now() + 10_000;
    while (heard.length < count && Date.now() < until) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, 200)));
    return heard.slice(count - 1, count)[0];
  };
  const xdgOpen = (target: string) => spawnSync('xdg-open', [target], { cwd: work, env, encoding: 'utf8', timeout: 20_000 });
  try {
    assert.deepEqual(Object.keys((await next(1)) as object), ['lock', 'pid']);
    const url = 'gtsfixture://x?y=1&z=%C3%A9#frag';
    const unregistered = xdgOpen(url);
    assert.notEqual(unregistered.status, 0, 'without the registration xdg-open finds no handler');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(heard.length, 1, 'and the app hears nothing');

    const report = await installForUser(builtFixture(dir), place);
    assert.deepEqual(report.notes, []);
    const opened = xdgOpen(url);
    assert.equal(opened.status, 0, opened.stderr);
    assert.deepEqual(await next(2), { url });
    for (const [target, path] of [['read me.md', join(work, 'read me.md')], [join(work, 'x.gtsnote'), join(work, 'x.gtsnote')]]) {
      const result = xdgOpen(target);
      assert.equal(result.status, 0, `${target}: ${result.stderr}`);
      assert.deepEqual(await next(heard.length + 1), { path }, target);
    }
    await uninstallForUser('deep-link-fixture', place);
    assert.notEqual(xdgOpen(url).status, 0, 'after uninstall, no handler again');
  } finally {
    first.stdin.end();
    first.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
