// Finding the calling module's folder (open('ui') resolves from it) from the stack, as Node, Bun
// and Deno write it. The stack texts below were captured from each runtime (Node 20.20, Bun 1.4.5,
// Deno 2.9.6) for an app at "/home/ada/my app #2/main.js" calling gluon-ts's open() in
// node_modules; the Windows ones follow the same formats with Windows paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callerDirectory, callerDirectoryIn, filesInStackText, framePath, type FrameSyntax } from '../../src/window/caller.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const APP = '/home/ada/my app #2';
const posix: FrameSyntax = { windows: false };
const caller = (stack: string, syntax: FrameSyntax) => callerDirectoryIn(filesInStackText(stack, syntax), syntax);

const NODE = {
  topLevel:
    'Error\n    at stackText (file:///home/ada/my%20app%20%232/node_modules/gluon-ts/dist/src/window/caller.js:2:19)\n    at open (file:///home/ada/my%20app%20%232/node_modules/gluon-ts/dist/src/window/open.js:3:18)\n    at file:///home/ada/my%20app%20%232/main.js:3:19\n    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)\n    at async ModuleLoader.import (node:internal/modules/esm/loader:606:24)\n    at async asyncRunEntryPointWithESMLoader (node:internal/modules/run_main:117:5)',
  method:
    'Error\n    at stackText (file:///home/ada/my%20app%20%232/node_modules/gluon-ts/dist/src/window/caller.js:2:19)\n    at open (file:///home/ada/my%20app%20%232/node_modules/gluon-ts/dist/src/window/open.js:3:18)\n    at App.start (file:///home/ada/my%20app%20%232/main.js:2:36)\n    at file:///home/ada/my%20app%20%232/main.js:4:32',
  timer:
    'Error\n    at stackText (file:///home/ada/my%20app%20%232/node_modules/gluon-ts/dist/src/window/caller.js:2:19)\n    at open (file:///home/ada/my%20app%20%232/node_modules/gluon-ts/dist/src/window/open.js:3:18)\n    at Timeout._onTimeout (file:///home/ada/my%20app%20%232/main.js:5:59)\n    at listOnTimeout (node:internal/timers:581:17)\n    at process.processTimers (node:internal/timers:519:7)',
};
const BUN = {
  topLevel:
    'Error\n    at stackText (/home/ada/my app #2/node_modules/gluon-ts/dist/src/window/caller.js:2:23)\n    at open (/home/ada/my app #2/node_modules/gluon-ts/dist/src/window/open.js:3:18)\n    at /home/ada/my app #2/main.js:3:19',
  method:
    'Error\n    at stackText (/home/ada/my app #2/node_modules/gluon-ts/dist/src/window/caller.js:2:23)\n    at open (/home/ada/my app #2/node_modules/gluon-ts/dist/src/window/open.js:3:18)\n    at start (/home/ada/my app #2/main.js:2:36)\n    at /home/ada/my app #2/main.js:4:32',
  timer:
    'Error\n    at stackText (/home/ada/my app #2/node_modules/gluon-ts/dist/src/window/caller.js:2:23)\n    at open (/home/ada/my app #2/node_modules/gluon-ts/dist/src/window/open.js:3:18)\n    at <anonymous> (/home/ada/my app #2/main.js:5:59)',
};
// Deno follows the package's source maps: its frames name src/window/*.ts, not dist/src/window/*.js.
const DENO_FROM_APP_FOLDER = {
  topLevel:
    'Error\n    at stackText (file:///home/ada/my%20app%20%232/node_modules/gluon-ts/src/window/caller.ts:2:17)\n    at open (file:///home/ada/my%20app%20%232/node_modules/gluon-ts/src/window/open.ts:3:16)\n    at file:///home/ada/my%20app%20%232/main.js:3:19',
  timer:
    'Error\n    at stackText (file:///home/ada/my%20app%20%232/node_modules/gluon-ts/src/window/caller.ts:2:17)\n    at open (file:///home/ada/my%20app%20%232/node_modules/gluon-ts/src/window/open.ts:3:16)\n    at Timeout._onTimeout (file:///home/ada/my%20app%20%232/main.js:5:59)\n    at invokeCallback (ext:deno_node/internal/timers.mjs:4:810)\n    at Object.cb [as _onTimeout] (ext:deno_node/internal/timers.mjs:4:1174)\n    at listOnTimeout (ext:core/02_timers.js:307:17)\n    at Object.processTimers (ext:core/02_timers.js:250:7)\n    at __processTimers (ext:core/01_core.js:448:21)',
};
const DENO_FROM_ELSEWHERE =
  'Error\n    at stackText (file:///home/ada/my app #2/node_modules/gluon-ts/src/window/caller.ts:2:17)\n    at open (file:///home/ada/my app #2/node_modules/gluon-ts/src/window/open.ts:3:16)\n    at App.start (file:///home/ada/my app #2/main.js:2:36)\n    at file:///home/ada/my app #2/main.js:4:32';

test('Node stack text: file URLs decoded, the first frame outside the package is the caller', () => {
  for (const [where, stack] of Object.entries(NODE)) assert.equal(caller(stack, posix), APP, where);
  assert.deepEqual(filesInStackText(NODE.topLevel, posix), [
    `${APP}/node_modules/gluon-ts/dist/src/window/caller.js`,
    `${APP}/node_modules/gluon-ts/dist/src/window/open.js`,
    `${APP}/main.js`,
  ]);
});

test('Bun stack text: plain paths with spaces, "#" and no function name', () => {
  for (const [where, stack] of Object.entries(BUN)) assert.equal(caller(stack, posix), APP, where);
});

test("Deno stack text: source-mapped package frames (src/*.ts) are the package's; half-decoded file URLs", () => {
  for (const [where, stack] of Object.entries(DENO_FROM_APP_FOLDER)) assert.equal(caller(stack, { windows: false, denoCwd: APP }), APP, where);
  assert.equal(caller(DENO_FROM_ELSEWHERE, { windows: false, denoCwd: '/home/ada' }), APP);
  assert.equal(caller(DENO_FROM_ELSEWHERE, { windows: false, denoCwd: '/srv' }), APP);
  // A "%41" in a raw path stays as it is (it is not an escape there).
  assert.equal(framePath('file:///srv/p%41 c#d/x.js', { windows: false, denoCwd: '/home/ada' }), '/srv/p%41 c#d/x.js');
  assert.equal(framePath('file:///home/ada/p%2541%20c%23d/ui #1/x.js', { windows: false, denoCwd: '/home/ada/p%41 c#d' }), '/home/ada/p%41 c#d/ui #1/x.js');
});

test('Windows formats: file URLs with a drive, backslash paths, UNC shares', () => {
  const windows: FrameSyntax = { windows: true };
  const nodeEsm =
    'Error\n    at stackText (file:///C:/Users/Ada/My%20App/node_modules/gluon-ts/dist/src/window/caller.js:2:19)\n    at open (file:///C:/Users/Ada/My%20App/node_modules/gluon-ts/dist/src/window/open.js:3:18)\n    at file:///C:/Users/Ada/My%20App/main.js:3:19';
  assert.equal(caller(nodeEsm, windows), 'C:\\Users\\Ada\\My App');
  const bunOrCjs =
    'Error\n    at stackText (C:\\Users\\Ada\\My App (2)\\node_modules\\gluon-ts\\dist\\src\\window\\caller.js:2:23)\n    at open (C:\\Users\\Ada\\My App (2)\\node_modules\\gluon-ts\\dist\\src\\window\\open.js:3:18)\n    at C:\\Users\\Ada\\My App (2)\\main.js:3:19';
  assert.equal(caller(bunOrCjs, windows), 'C:\\Users\\Ada\\My App (2)');
  const deno =
    'Error\n    at stackText (file:///C:/Users/Ada/My App/node_modules/gluon-ts/src/window/caller.ts:2:17)\n    at open (file:///C:/Users/Ada/My App/node_modules/gluon-ts/src/window/open.ts:3:16)\n    at file:///C:/Users/Ada/My App/main.js:3:19';
  assert.equal(caller(deno, { windows: true, denoCwd: 'D:\\' }), 'C:\\Users\\Ada\\My App');
  assert.equal(framePath('file://server/share/apps/main.js', windows), '\\\\server\\share\\apps\\main.js');
  assert.equal(framePath('file://server/share/my app/main.js', { windows: true, denoCwd: 'C:\\' }), '\\\\server\\share\\my app\\main.js');
  assert.equal(framePath('\\\\server\\share\\main.js', windows), '\\\\server\\share\\main.js');
  assert.equal(framePath('/home/ada/main.js', windows), undefined);
});

test('frames with no file are skipped: runtime internals, native code, eval, Promise.all', () => {
  const stack = [
    'Error',
    '    at stackText (/pkg/dist/src/window/caller.js:2:19)',
    '    at open (/pkg/dist/src/window/open.js:3:18)',
    '    at eval (eval at <anonymous> (file:///elsewhere/evaluator.js:9:13), <anonymous>:1:1)',
    '    at <anonymous> (file:///home/ada/app/main.js:1:10)',
    '    at map (native:1:11)',
    '    at Array.map (<anonymous>)',
    '    at async Promise.all (index 0)',
    '    at node:internal/main/run_main_module:28:49',
    '    at listOnTimeout (ext:core/02_timers.js:307:17)',
    '    at /home/ada/app (2)/main.js:3:11',
  ].join('\n');
  assert.deepEqual(filesInStackText(stack, posix), ['/pkg/dist/src/window/caller.js', '/pkg/dist/src/window/open.js', '/home/ada/app/main.js', '/home/ada/app (2)/main.js']);
});

test('every frame inside the package: no caller (open() then uses the working folder)', () => {
  assert.equal(callerDirectoryIn(['/pkg/dist/src/window/caller.js', '/pkg/dist/src/window/open.js', '/pkg/dist/src/index.js'], posix), undefined);
  assert.equal(callerDirectoryIn([], posix), undefined);
});

test('callerDirectory() in this process (Node): this test file\'s folder', () => {
  assert.equal(callerDirectory(), join(repoRoot, 'dist', 'test', 'unit'));
});

test('callerDirectory() run by node, node --frozen-intrinsics (stack text), bun and deno, from a folder named "a b #1"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gluon-caller-'));
  try {
    const app = join(dir, 'a b #1');
    mkdirSync(app);
    const callerModule = new URL('../../src/window/caller.js', import.meta.url).href;
    writeFileSync(join(app, 'main.mjs'), `import { callerDirectory } from ${JSON.stringify(callerModule)};\nconsole.log(JSON.stringify(callerDirectory()));\n`);
    const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);
    const runs: [string, string, string[]][] = [
      ['node', process.execPath, []],
      ['node --frozen-intrinsics', process.execPath, ['--frozen-intrinsics', '--no-warnings']],
      ['bun', bin('bun'), []],
      ['deno', bin('deno'), ['run', '-A']],
    ];
    for (const [name, command, args] of runs) {
      for (const cwd of [app, dir]) {
        const run = spawnSync(command, [...args, join(app, 'main.mjs')], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
        assert.equal(run.status, 0, `${name}: ${run.error ?? ''}${run.stderr}`);
        assert.equal(JSON.parse(run.stdout.trim().split('\n').at(-1)!), app, `${name} from ${cwd}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
