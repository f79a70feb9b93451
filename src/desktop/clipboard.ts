// Gluon.clipboard: the system clipboard as text and as PNG images, with Electron's names
// (readText, writeText, readImage, writeImage), through the platform's own tools run with
// runCommand (no shell; the text always goes through stdin, never into a command line or a script).
//   Linux, Wayland (WAYLAND_DISPLAY):  wl-copy / wl-paste (wl-clipboard), when both are installed
//   Linux, X11 (DISPLAY):              xclip, else xsel (text only)
//   macOS:                             pbcopy / pbpaste; images through osascript
//   Windows:                           PowerShell (Get-Clipboard / Set-Clipboard; images via .NET)
// xclip and wl-copy fork a child that keeps owning the selection (the X and Wayland clipboards
// live in the program that copied): the write resolves once the clipboard shows what it wrote.
// xclip runs in its default (-silent) mode: it forks, the parent exits (and is reaped here) and the
// child, reparented away from the app, serves pastes until another program copies; not -quiet
// (it would stay our child in the foreground) nor -loops N (the text would vanish after N pastes).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../log.js';
import { findCommand, runCommand, type CommandFinder, type CommandResult } from './command.js';

const log = logger('desktop');

/** Which tools carry the clipboard. */
export type ClipboardRoute = 'wl-clipboard' | 'xclip' | 'xsel' | 'macos' | 'powershell';

/** What the route depends on, so every platform's choice can be tested anywhere. */
export interface ClipboardPlace {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  findCommand: CommandFinder;
}

/**
 * The clipboard route for a platform and environment; throws an Error that says what was looked
 * for and what to install when there is none.
 */
export function clipboardRoute({ platform, env, findCommand: find }: ClipboardPlace): ClipboardRoute {
  if (platform === 'darwin') return 'macos';
  if (platform === 'win32') return 'powershell';
  const tried: string[] = [];
  if (env.WAYLAND_DISPLAY) {
    if (find('wl-copy') && find('wl-paste')) return 'wl-clipboard';
    tried.push('wl-copy/wl-paste (not installed)');
  }
  if (env.DISPLAY) {
    if (find('xclip')) return 'xclip';
    if (find('xsel')) return 'xsel';
    tried.push('xclip and xsel (neither installed)');
  }
  if (!env.WAYLAND_DISPLAY && !env.DISPLAY) {
    throw new Error('clipboard: no graphical session (neither WAYLAND_DISPLAY nor DISPLAY is set), so there is no clipboard to use; run the app in a desktop session');
  }
  const install = env.WAYLAND_DISPLAY && !env.DISPLAY ? 'wl-clipboard' : env.WAYLAND_DISPLAY ? 'wl-clipboard (or xclip)' : 'xclip (or xsel, text only)';
  throw new Error(`clipboard: no clipboard tool: tried ${tried.join(', then ')}; install ${install} (Debian/Ubuntu: apt-get install ${install.split(' ')[0]})`);
}

const currentRoute = (): ClipboardRoute => clipboardRoute({ platform: process.platform, env: process.env, findCommand });

// The X selection and the Wayland clipboard: text is asked for as UTF-8.
const X_CLIPBOARD = ['-selection', 'clipboard'];
const TEXT_UTF8 = 'UTF8_STRING';
const PNG = 'image/png';

// PowerShell: the text and the image bytes travel through stdin and stdout as raw bytes (UTF-8
// for text), so neither the console's code page nor a command line ever touches them.
const PS_READ_STDIN = '$in = [Console]::OpenStandardInput(); $m = New-Object IO.MemoryStream; $in.CopyTo($m); $bytes = $m.ToArray();';
const PS_WRITE_STDOUT = '$out = [Console]::OpenStandardOutput(); $out.Write($bytes, 0, $bytes.Length); $out.Flush();';
const PS_FORMS = 'Add-Type -AssemblyName System.Windows.Forms; Add-Type -AssemblyName System.Drawing;';
/** The PowerShell scripts of the Windows route (fixed text: no data is ever put in them). */
export const POWERSHELL_SCRIPTS = {
  readText: `$t = Get-Clipboard -Raw; if ($null -eq $t) { $t = '' }; $bytes = [Text.Encoding]::UTF8.GetBytes($t); ${PS_WRITE_STDOUT}`,
  writeText: `${PS_READ_STDIN} $t = [Text.Encoding]::UTF8.GetString($bytes); if ($t.Length -eq 0) { ${PS_FORMS} [Windows.Forms.Clipboard]::Clear() } else { Set-Clipboard -Value $t }`,
  readImage: `${PS_FORMS} $i = [Windows.Forms.Clipboard]::GetImage(); if ($null -ne $i) { $m = New-Object IO.MemoryStream; $i.Save($m, [Drawing.Imaging.ImageFormat]::Png); $bytes = $m.ToArray(); ${PS_WRITE_STDOUT} }`,
  writeImage: `${PS_FORMS} ${PS_READ_STDIN} $m.Position = 0; $i = [Drawing.Image]::FromStream($m); [Windows.Forms.Clipboard]::SetImage($i)`,
} as const;
const powershell = (script: string) => ['powershell', ['-NoProfile', '-NonInteractive', '-STA', '-Command', script]] as const;

// macOS: AppleScript reads the clipboard's PNG as «data PNGf<hex>»; a PNG is put there from a
// file whose path is the script's argument (argv), not part of its text.
const OSA_READ_PNG = ['-e', 'try', '-e', 'the clipboard as «class PNGf»', '-e', 'on error', '-e', 'return ""', '-e', 'end try'];
const OSA_WRITE_PNG = ['-e', 'on run argv', '-e', 'set the clipboard to (read (POSIX file (item 1 of argv)) as «class PNGf»)', '-e', 'end run'];
/** pbcopy/pbpaste take the text in the locale's encoding: UTF-8 is asked for. */
const MAC_UTF8 = { LANG: 'en_US.UTF-8', LC_ALL: 'en_US.UTF-8' };

/** How long a write waits for the X clipboard to show what it wrote, and each read of it may take. */
const SETTLE_TIME = 3000;
const SETTLE_READ_TIMEOUT = 1000;

/**
 * xclip and xsel return when their background child has started, which takes the clipboard a
 * moment later: a write waits until a read gives what it wrote, so a readText() right after a
 * writeText() gets the new text (after SETTLE_TIME it gives up waiting: another app may have
 * copied something meanwhile).
 */
async function settled(read: () => Promise<string | Buffer>, wrote: string | Buffer): Promise<void> {
  for (const deadline = Date.now() + SETTLE_TIME; Date.now() < deadline; await sleep(15)) {
    try {
      const now = await read();
      if (typeof now === 'string' ? now === wrote : Buffer.isBuffer(wrote) && now.equals(wrote)) return;
    } catch (error) {
      log('clipboard: reading back what was written:', (error as Error).message);
    }
  }
  log('clipboard: the clipboard did not show what was written within', SETTLE_TIME, 'ms');
}

function check(result: CommandResult, what: string, tool: string): CommandResult {
  if (result.code !== 0) throw new Error(`clipboard.${what}: ${tool} failed (${result.code ?? result.signal}): ${result.stderr.trim() || 'it printed nothing'}`);
  return result;
}

/**
 * The clipboard's text ('' when it holds none). Linux: wl-paste, xclip or xsel; macOS: pbpaste;
 * Windows: PowerShell's Get-Clipboard.
 */
export async function readText(): Promise<string> {
  return readTextOn(currentRoute(), READ_TIMEOUT);
}

/**
 * How long a read may wait for the program that owns the clipboard to hand it over (an X or
 * Wayland clipboard is asked of its owner, which may be hung).
 */
const READ_TIMEOUT = 10_000;

async function readTextOn(route: ClipboardRoute, timeout: number): Promise<string> {
  switch (route) {
    case 'wl-clipboard': {
      // wl-paste exits with 1 when the clipboard is empty or holds no text.
      const result = await runCommand('wl-paste', ['--no-newline', '--type', 'text'], { timeout });
      return result.code === 0 ? result.stdout.toString('utf8') : '';
    }
    case 'xclip': {
      // xclip -o fails ("target ... not available") when nobody owns the clipboard or it holds no text.
      const result = await runCommand('xclip', [...X_CLIPBOARD, '-o', '-t', TEXT_UTF8], { timeout });
      return result.code === 0 ? result.stdout.toString('utf8') : '';
    }
    case 'xsel':
      return check(await runCommand('xsel', ['--clipboard', '--output', '--selectionTimeout', String(timeout)], { timeout: timeout + 1000 }), 'readText', 'xsel').stdout.toString('utf8');
    case 'macos':
      return check(await runCommand('pbpaste', [], { env: MAC_UTF8, timeout }), 'readText', 'pbpaste').stdout.toString('utf8');
    case 'powershell':
      return check(await runCommand(...powershell(POWERSHELL_SCRIPTS.readText), { timeout }), 'readText', 'PowerShell').stdout.toString('utf8');
  }
}

/** Puts `text` on the clipboard (as UTF-8 text); resolves once it is there. */
export async function writeText(text: string): Promise<void> {
  if (typeof text !== 'string') throw new TypeError(`clipboard.writeText(text): text must be a string, got ${typeof text}`);
  const route = currentRoute();
  const input = Buffer.from(text, 'utf8');
  switch (route) {
    case 'wl-clipboard':
      check(await runCommand('wl-copy', ['--type', 'text/plain;charset=utf-8'], { input, forks: true }), 'writeText', 'wl-copy');
      return;
    case 'xclip':
      check(await runCommand('xclip', [...X_CLIPBOARD, '-i', '-t', TEXT_UTF8], { input, forks: true }), 'writeText', 'xclip');
      return settled(() => readTextOn(route, SETTLE_READ_TIMEOUT), text);
    case 'xsel':
      // xsel closes the pipes in its background child, so it is awaited as usual.
      check(await runCommand('xsel', ['--clipboard', '--input'], { input }), 'writeText', 'xsel');
      return settled(() => readTextOn(route, SETTLE_READ_TIMEOUT), text);
    case 'macos':
      check(await runCommand('pbcopy', [], { input, env: MAC_UTF8 }), 'writeText', 'pbcopy');
      return;
    case 'powershell':
      check(await runCommand(...powershell(POWERSHELL_SCRIPTS.writeText), { input }), 'writeText', 'PowerShell');
      return;
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const noImages = (what: string) => new Error(`clipboard.${what}: xsel carries text only; install xclip for images (Debian/Ubuntu: apt-get install xclip)`);

/**
 * The clipboard's image as PNG bytes; an empty Buffer when it holds none (Electron's readImage
 * gives an empty NativeImage then).
 */
export async function readImage(): Promise<Buffer> {
  return readImageOn(currentRoute(), READ_TIMEOUT);
}

async function readImageOn(route: ClipboardRoute, timeout: number): Promise<Buffer> {
  let bytes: Buffer;
  switch (route) {
    case 'wl-clipboard': {
      const result = await runCommand('wl-paste', ['--type', PNG], { timeout });
      bytes = result.code === 0 ? result.stdout : Buffer.alloc(0);
      break;
    }
    case 'xclip': {
      const result = await runCommand('xclip', [...X_CLIPBOARD, '-o', '-t', PNG], { timeout });
      bytes = result.code === 0 ? result.stdout : Buffer.alloc(0);
      break;
    }
    case 'xsel':
      throw noImages('readImage');
    case 'macos': {
      const out = check(await runCommand('osascript', OSA_READ_PNG, { timeout }), 'readImage', 'osascript').stdout.toString('latin1');
      const hex = /«data PNGf([0-9A-Fa-f]*)»/.exec(out)?.[1];
      bytes = hex ? Buffer.from(hex, 'hex') : Buffer.alloc(0);
      break;
    }
    case 'powershell':
      bytes = check(await runCommand(...powershell(POWERSHELL_SCRIPTS.readImage), { timeout }), 'readImage', 'PowerShell').stdout;
      break;
  }
  return bytes.subarray(0, 8).equals(PNG_SIGNATURE) ? bytes : Buffer.alloc(0);
}

/** Puts a PNG image (its bytes) on the clipboard; resolves once it is there. */
export async function writeImage(png: Buffer | Uint8Array): Promise<void> {
  if (!(png instanceof Uint8Array) || !Buffer.from(png.buffer, png.byteOffset, Math.min(8, png.byteLength)).equals(PNG_SIGNATURE)) {
    throw new TypeError('clipboard.writeImage(png): png must be the bytes of a PNG file (a Buffer or Uint8Array starting with the PNG signature)');
  }
  const input = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const route = currentRoute();
  switch (route) {
    case 'wl-clipboard':
      check(await runCommand('wl-copy', ['--type', PNG], { input, forks: true }), 'writeImage', 'wl-copy');
      return;
    case 'xclip':
      check(await runCommand('xclip', [...X_CLIPBOARD, '-i', '-t', PNG], { input, forks: true }), 'writeImage', 'xclip');
      return settled(() => readImageOn(route, SETTLE_READ_TIMEOUT), input);
    case 'xsel':
      throw noImages('writeImage');
    case 'macos': {
      const dir = await mkdtemp(join(tmpdir(), 'gluon-ts-clipboard-'));
      try {
        const file = join(dir, 'image.png');
        await writeFile(file, input);
        check(await runCommand('osascript', [...OSA_WRITE_PNG, file]), 'writeImage', 'osascript');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      return;
    }
    case 'powershell':
      check(await runCommand(...powershell(POWERSHELL_SCRIPTS.writeImage), { input }), 'writeImage', 'PowerShell');
      return;
  }
}

/** `Gluon.clipboard`: the system clipboard, as Electron's `clipboard` (text and PNG images). */
export interface ClipboardApi {
  /** The clipboard's text ('' when it holds none). */
  readText(): Promise<string>;
  /** Puts `text` on the clipboard; resolves once it is there. */
  writeText(text: string): Promise<void>;
  /** The clipboard's image as PNG bytes; an empty Buffer when it holds none. */
  readImage(): Promise<Buffer>;
  /** Puts a PNG image (the bytes of a PNG file) on the clipboard; resolves once it is there. */
  writeImage(png: Buffer | Uint8Array): Promise<void>;
}

/**
 * The system clipboard. Linux: wl-copy/wl-paste under Wayland, else xclip, else xsel (text only)
 * under X11; macOS: pbcopy/pbpaste and osascript; Windows: PowerShell. Without a tool, a call
 * rejects saying what to install.
 */
export const clipboard: ClipboardApi = { readText, writeText, readImage, writeImage };
