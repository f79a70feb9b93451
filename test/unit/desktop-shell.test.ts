// Gluon.shell (src/desktop/shell.ts) on Linux as it runs: a fake xdg-open first on the PATH that
// records its argv, and a fake file manager (org.freedesktop.FileManager1, with dbus-next) on a
// private session bus started here, which records the URIs ShowItems got. The schemes refused;
// the macOS and Windows commands with a faked runner, by their exact argv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { shell } from '../../src/desktop/shell.js';
import { setCommandRunner } from '../../src/desktop/command.js';
import { closeSessionBus, dbus } from '../../src/desktop/dbus.js';
import { hasCommand } from '../e2e/x11.js';

const why = hasCommand('dbus-daemon') ? false : 'needs dbus-daemon (apt-get install dbus)';
const skip = why && process.env.CI !== 'true' ? why : false;

/** A folder with a file whose name has spaces, quotes, a newline and non-ASCII, and a fake xdg-open on the PATH. */
function setUp() {
  const root = mkdtempSync(join(tmpdir(), 'gluon-ts-shell-'));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  const record = join(root, 'xdg-open.jsonl');
  writeFileSync(join(bin, 'xdg-open'), `#!${process.execPath}\nrequire('node:fs').appendFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`);
  chmodSync(join(bin, 'xdg-open'), 0o755);
  const folder = join(root, `dossier "d'été" $HOME`);
  mkdirSync(folder);
  const file = join(folder, 'notes 📝\nline two.txt');
  writeFileSync(file, 'x');
  const savedPath = process.env.PATH;
  process.env.PATH = `${bin}${delimiter}${savedPath}`;
  /** The argv of each xdg-open run so far, once there are `count` (it runs detached). */
  const opened = async (count: number) => {
    for (const deadline = Date.now() + 10_000; ; await sleep(25)) {
      let lines: string[] = [];
      try {
        lines = readFileSync(record, 'utf8').trim().split('\n').filter(Boolean);
      } catch {
        // not yet
      }
      if (lines.length >= count) return lines.map((line) => JSON.parse(line) as string[]);
      assert.ok(Date.now() < deadline, `xdg-open ran ${lines.length} times, not ${count}, within 10 s`);
    }
  };
  const tearDown = () => {
    process.env.PATH = savedPath;
    rmSync(root, { recursive: true, force: true });
  };
  return { folder, file, opened, tearDown };
}

test('openExternal refuses what is not an allowed URL, with a TypeError that says why', async () => {
  const restore = setCommandRunner(async () => assert.fail('nothing may run'), () => '/usr/bin/xdg-open');
  try {
    for (const [url, message] of [
      ['javascript:alert(1)', /the scheme javascript: of "javascript:alert\(1\)" is not allowed \(allowed: https: http: mailto:\); list it in options.protocols/],
      ['file:///etc/passwd', /the scheme file: .* is not allowed/],
      ['myapp://x', /the scheme myapp: .* is not allowed/],
      ['example.org', /"example.org" is not a URL/],
      ['--help', /not a URL/],
      ['', /not a URL/],
    ] as const) {
      await assert.rejects(shell.openExternal(url), (error: Error) => error instanceof TypeError && message.test(error.message), url);
    }
    await assert.rejects(shell.openExternal(42 as unknown as string), TypeError);
    await assert.rejects(shell.openExternal('https://example.org/', { protocols: ['myapp'] }), /scheme https: .* not allowed \(allowed: myapp:\)/);
  } finally {
    restore();
  }
});

test('openExternal, openPath and showItemInFolder on Linux: xdg-open gets one argument each, the file manager a file:// URI', { skip, timeout: 30_000 }, async () => {
  assert.ok(!why, why || '');
  const { folder, file, opened, tearDown } = setUp();
  const daemon = spawnSync('dbus-daemon', ['--session', '--fork', '--print-address=1', '--print-pid=1', '--nosyslog'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(daemon.status, 0, daemon.stderr);
  const [address, pid] = daemon.stdout.trim().split('\n');
  const savedBus = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = address;
  // The fake file manager, on a connection of its own.
  const shown: [string[], string][] = [];
  class FileManager extends dbus.interface.Interface {
    ShowItems(uris: string[], startupId: string) {
      shown.push([uris, startupId]);
    }
  }
  FileManager.configureMembers({ methods: { ShowItems: { inSignature: 'ass', outSignature: '' } } });
  const service = dbus.sessionBus({ busAddress: address });
  try {
    // xdg-open runs detached: each is awaited before the next, so the record keeps their order.
    await shell.openExternal('https://example.org/a b?q="x"&y=é#frag');
    await opened(1);
    await shell.openExternal('mailto:ada@example.org?subject=hi there');
    await opened(2);
    await shell.openExternal('myapp://open/thing', { protocols: ['myapp:', 'https'] });
    assert.deepEqual(await opened(3), [['https://example.org/a%20b?q=%22x%22&y=%C3%A9#frag'], ['mailto:ada@example.org?subject=hi%20there'], ['myapp://open/thing']]);

    assert.equal(await shell.openPath(file), '');
    assert.deepEqual((await opened(4))[3], [file]);
    assert.match(await shell.openPath(join(folder, 'missing.txt')), /cannot open .*missing\.txt: it does not exist/);

    // No file manager on the bus: the folder is opened instead.
    await shell.showItemInFolder(file);
    assert.deepEqual((await opened(5))[4], [folder]);

    service.export('/org/freedesktop/FileManager1', new FileManager('org.freedesktop.FileManager1'));
    await service.requestName('org.freedesktop.FileManager1', 0);
    await shell.showItemInFolder(file);
    assert.equal(shown.length, 1);
    const [[uri], startupId] = shown[0]!;
    assert.ok(uri!.startsWith('file:///'), uri);
    assert.equal(fileURLToPath(uri!), file, 'the URI names the file exactly');
    assert.equal(startupId, '');
    await sleep(200);
    assert.equal((await opened(5)).length, 5, 'and xdg-open was not run');
  } finally {
    service.disconnect();
    closeSessionBus();
    if (savedBus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = savedBus;
    process.kill(Number(pid));
    tearDown();
  }
});

test('macOS and Windows: open, open -R, rundll32 and explorer with the exact arguments', async () => {
  const saved = process.platform;
  const calls: { platform: string; argv: string[]; detached?: boolean }[] = [];
  const restore = setCommandRunner(
    async (file, args, options = {}) => {
      calls.push({ platform: process.platform, argv: [file, ...args], detached: options.detached });
      return { code: 0, signal: null, stdout: Buffer.alloc(0), stderr: '' };
    },
    (name) => `/bin/${name}`,
  );
  const file = join(tmpdir(), 'a file "é".txt');
  writeFileSync(file, 'x');
  try {
    for (const platform of ['darwin', 'win32'] as const) {
      Object.defineProperty(process, 'platform', { value: platform });
      await shell.openExternal('https://example.org/?a=1&b=%22');
      assert.equal(await shell.openPath(file), '');
      await shell.showItemInFolder(file);
    }
  } finally {
    Object.defineProperty(process, 'platform', { value: saved });
    restore();
    rmSync(file, { force: true });
  }
  assert.deepEqual(calls, [
    { platform: 'darwin', argv: ['open', 'https://example.org/?a=1&b=%22'], detached: undefined },
    { platform: 'darwin', argv: ['open', file], detached: undefined },
    { platform: 'darwin', argv: ['open', '-R', file], detached: undefined },
    { platform: 'win32', argv: ['rundll32', 'url.dll,FileProtocolHandler', 'https://example.org/?a=1&b=%22'], detached: undefined },
    { platform: 'win32', argv: ['explorer', file], detached: true },
    { platform: 'win32', argv: ['explorer', '/select,', file], detached: true },
  ]);
  assert.equal(dirname(file), tmpdir());
});
