// Gluon.clipboard (src/desktop/clipboard.ts): round trips through the real xclip and xsel on a
// private X display (Xvfb), each read also checked against an `xclip -o` this test runs itself;
// the route choice for every platform; the Wayland, macOS and Windows commands with a faked runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clipboard, clipboardRoute, POWERSHELL_SCRIPTS } from '../../src/desktop/clipboard.js';
import { setCommandRunner, type CommandResult } from '../../src/desktop/command.js';
import { hasCommand, startDisplay } from '../e2e/x11.js';

const outerPath = process.env.PATH;
const missing = ['Xvfb', 'xclip', 'xsel'].filter((command) => !hasCommand(command));
const why = missing.length ? `needs ${missing.join(', ')} (apt-get install xvfb xclip xsel)` : false;
// Under CI a missing tool fails the test instead of skipping it.
const skip = why && process.env.CI !== 'true' ? why : false;

/** A real PNG file's bytes (an example app's image). */
const png = (): Buffer => readFileSync(new URL('../../../examples/file-viewer/ui/images/checkers.png', import.meta.url));

/**
 * Runs `work` on the display with only `tool` on the PATH (a folder holding a link to it), so the
 * route finds that one and no other.
 */
async function withX(display: string, tool: 'xclip' | 'xsel', work: () => Promise<void>) {
  const saved = { DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY, PATH: process.env.PATH };
  const bin = mkdtempSync(join(tmpdir(), 'gluon-ts-clipboard-bin-'));
  symlinkSync(spawnSync('sh', ['-c', 'command -v "$0"', tool], { encoding: 'utf8' }).stdout.trim(), join(bin, tool));
  process.env.DISPLAY = display;
  delete process.env.WAYLAND_DISPLAY;
  process.env.PATH = bin;
  try {
    await work();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(bin, { recursive: true, force: true });
  }
}

/** `promise`, or a failure after `ms` (so the finally blocks stop the display, and xclip with it). */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Children of this process that have ended but were not reaped (there must be none). */
const zombies = () =>
  spawnSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((line) => /^\s*\d+\s+Z/.test(line));

const TEXTS = ['plain', 'two\nlines\n\nand a trailing newline\n', 'héllo wörld — ünïcode 日本語 😀', '  spaces  and\ttabs ', "quotes ' \" $HOME `x` \\ ; & |"];

test('text and a PNG image round trip through the real xclip, read back by xclip -o too', { skip, timeout: 20_000 }, async () => {
  assert.ok(!why, why || '');
  const display = await startDisplay();
  try {
    const xclipOut = (target: string) => spawnSync('xclip', ['-selection', 'clipboard', '-o', '-t', target], { env: { ...process.env, DISPLAY: display.name } });
    await withX(display.name, 'xclip', async () => {
      assert.equal(await clipboard.readText(), '', 'an empty clipboard reads as empty text');
      assert.equal((await clipboard.readImage()).length, 0, 'and as no image');
      for (const text of TEXTS) {
        await within(3000, clipboard.writeText(text), 'writeText resolves at once although xclip keeps running to own the clipboard');
        assert.equal(await clipboard.readText(), text);
        assert.equal(xclipOut('UTF8_STRING').stdout.toString('utf8'), text, 'another program reads the same text');
      }
      // The read side alone: what an independent xclip put there.
      const theirs = 'copied by someone else: ça va?\nyes';
      const copy = spawnSync('xclip', ['-selection', 'clipboard', '-i'], { input: theirs, env: { ...process.env, DISPLAY: display.name }, stdio: ['pipe', 'ignore', 'ignore'], timeout: 5000 });
      assert.equal(copy.status, 0);
      assert.equal(await clipboard.readText(), theirs);
      const image = png();
      await within(3000, clipboard.writeImage(image), 'writeImage resolves at once');
      assert.deepEqual(await clipboard.readImage(), image);
      assert.deepEqual(xclipOut('image/png').stdout, image, 'another program reads the same PNG');
      await assert.rejects(clipboard.writeImage(Buffer.from('not a png')), /must be the bytes of a PNG file/);
    });
    assert.deepEqual(zombies(), [], 'no unreaped xclip left behind');
  } finally {
    await display.stop();
  }
});

test('xsel carries text (and says it cannot carry images)', { skip, timeout: 20_000 }, async () => {
  assert.ok(!why, why || '');
  const display = await startDisplay();
  try {
    await withX(display.name, 'xsel', async () => {
      for (const text of TEXTS) {
        await clipboard.writeText(text);
        assert.equal(await clipboard.readText(), text);
        const theirs = spawnSync('xclip', ['-selection', 'clipboard', '-o'], { env: { ...process.env, DISPLAY: display.name, PATH: outerPath } });
        assert.equal(theirs.stdout.toString('utf8'), text);
      }
      await assert.rejects(clipboard.readImage(), /xsel carries text only; install xclip/);
      await assert.rejects(clipboard.writeImage(png()), /xsel carries text only; install xclip/);
    });
  } finally {
    await display.stop();
  }
});

test('the route: Wayland tools, else xclip, else xsel; macOS and Windows; none says what to install', () => {
  const finder = (...have: string[]) => (name: string) => (have.includes(name) ? `/usr/bin/${name}` : undefined);
  const route = (platform: NodeJS.Platform, env: Record<string, string>, ...have: string[]) => clipboardRoute({ platform, env, findCommand: finder(...have) });
  assert.equal(route('linux', { WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' }, 'wl-copy', 'wl-paste', 'xclip'), 'wl-clipboard');
  assert.equal(route('linux', { WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' }, 'wl-copy', 'xclip'), 'xclip'); // XWayland, half of wl-clipboard
  assert.equal(route('linux', { DISPLAY: ':0' }, 'wl-copy', 'wl-paste', 'xclip', 'xsel'), 'xclip');
  assert.equal(route('linux', { DISPLAY: ':0' }, 'xsel'), 'xsel');
  assert.equal(route('freebsd', { DISPLAY: ':0' }, 'xclip'), 'xclip');
  assert.equal(route('darwin', {}), 'macos');
  assert.equal(route('win32', {}), 'powershell');
  assert.throws(() => route('linux', { DISPLAY: ':0' }), /no clipboard tool: tried xclip and xsel \(neither installed\); install xclip \(or xsel, text only\)/);
  assert.throws(() => route('linux', { WAYLAND_DISPLAY: 'wayland-0' }, 'xclip'), /tried wl-copy\/wl-paste \(not installed\); install wl-clipboard/);
  assert.throws(() => route('linux', {}, 'xclip', 'wl-copy', 'wl-paste'), /no graphical session \(neither WAYLAND_DISPLAY nor DISPLAY is set\)/);
});

/** Runs `work` with a faked runner on `platform`'s route; the calls it made, program first, and their stdin. */
async function faked(platform: NodeJS.Platform, env: Record<string, string>, answer: (file: string, args: readonly string[]) => Partial<CommandResult>, work: () => Promise<void>) {
  const calls: { argv: string[]; input?: string; forks?: boolean; env?: Record<string, string | undefined> }[] = [];
  const saved = { platform: process.platform, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY, DISPLAY: process.env.DISPLAY };
  Object.defineProperty(process, 'platform', { value: platform });
  delete process.env.WAYLAND_DISPLAY;
  delete process.env.DISPLAY;
  Object.assign(process.env, env);
  const restore = setCommandRunner(
    async (file, args, options = {}) => {
      calls.push({ argv: [file, ...args], input: options.input === undefined ? undefined : Buffer.from(options.input).toString('latin1'), forks: options.forks, env: options.env });
      return { code: 0, signal: null, stdout: Buffer.alloc(0), stderr: '', ...answer(file, args) };
    },
    (name) => `/usr/bin/${name}`,
  );
  try {
    await work();
  } finally {
    restore();
    Object.defineProperty(process, 'platform', { value: saved.platform });
    for (const key of ['WAYLAND_DISPLAY', 'DISPLAY'] as const) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
  return calls;
}

test('Wayland: wl-copy and wl-paste, the data on stdin and stdout', async () => {
  const image = png();
  const calls = await faked('linux', { WAYLAND_DISPLAY: 'wayland-0' }, (file, args) => ({ stdout: file === 'wl-paste' ? (args.includes('image/png') ? image : Buffer.from('héllo', 'utf8')) : Buffer.alloc(0) }), async () => {
    await clipboard.writeText('héllo\nx');
    assert.equal(await clipboard.readText(), 'héllo');
    await clipboard.writeImage(image);
    assert.deepEqual(await clipboard.readImage(), image);
  });
  assert.deepEqual(calls.map((c) => c.argv), [
    ['wl-copy', '--type', 'text/plain;charset=utf-8'],
    ['wl-paste', '--no-newline', '--type', 'text'],
    ['wl-copy', '--type', 'image/png'],
    ['wl-paste', '--type', 'image/png'],
  ]);
  assert.equal(calls[0]!.input, Buffer.from('héllo\nx', 'utf8').toString('latin1'));
  assert.deepEqual([calls[0]!.forks, calls[2]!.forks], [true, true]);
  assert.equal(calls[2]!.input, image.toString('latin1'));
});

test('macOS: pbcopy/pbpaste in UTF-8, images through osascript with the file as its argument', async () => {
  const image = png();
  const calls = await faked('darwin', {}, (file, args) => ({ stdout: file === 'pbpaste' ? Buffer.from('ünï', 'utf8') : file === 'osascript' && args.length === 10 ? Buffer.from(`«data PNGf${image.toString('hex').toUpperCase()}»\n`, 'latin1') : Buffer.alloc(0) }), async () => {
    await clipboard.writeText('ünï "$x"');
    assert.equal(await clipboard.readText(), 'ünï');
    await clipboard.writeImage(image);
    assert.deepEqual(await clipboard.readImage(), image);
  });
  const utf8 = { LANG: 'en_US.UTF-8', LC_ALL: 'en_US.UTF-8' };
  assert.deepEqual(calls.map((c) => [c.argv[0], c.env]), [['pbcopy', utf8], ['pbpaste', utf8], ['osascript', undefined], ['osascript', undefined]]);
  assert.deepEqual([calls[0]!.argv, calls[0]!.input], [['pbcopy'], Buffer.from('ünï "$x"', 'utf8').toString('latin1')]);
  const written = calls[2]!.argv;
  assert.deepEqual(written.slice(0, -1), ['osascript', '-e', 'on run argv', '-e', 'set the clipboard to (read (POSIX file (item 1 of argv)) as «class PNGf»)', '-e', 'end run']);
  assert.match(written.at(-1)!, /gluon-ts-clipboard-.*image\.png$/);
  assert.deepEqual(calls[3]!.argv, ['osascript', '-e', 'try', '-e', 'the clipboard as «class PNGf»', '-e', 'on error', '-e', 'return ""', '-e', 'end try']);
});

test('Windows: PowerShell, the text on stdin and never in the script', async () => {
  const text = "evil'; Remove-Item -Recurse C:\\ ; \"$(x)\" ünï";
  const calls = await faked('win32', {}, () => ({ stdout: Buffer.from('ünï', 'utf8') }), async () => {
    await clipboard.writeText(text);
    assert.equal(await clipboard.readText(), 'ünï');
    await clipboard.writeImage(png());
  });
  const ps = (script: string) => ['powershell', '-NoProfile', '-NonInteractive', '-STA', '-Command', script];
  assert.deepEqual(calls.map((c) => c.argv), [ps(POWERSHELL_SCRIPTS.writeText), ps(POWERSHELL_SCRIPTS.readText), ps(POWERSHELL_SCRIPTS.writeImage)]);
  assert.equal(calls[0]!.input, Buffer.from(text, 'utf8').toString('latin1'));
  for (const script of Object.values(POWERSHELL_SCRIPTS)) assert.ok(!script.includes('ünï') && !script.includes('evil'));
  assert.match(POWERSHELL_SCRIPTS.writeText, /Set-Clipboard -Value \$t/);
  assert.match(POWERSHELL_SCRIPTS.readText, /Get-Clipboard -Raw/);
});
