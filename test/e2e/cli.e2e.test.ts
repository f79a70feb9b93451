// Issue F: the gluon-ts command line, end to end, on the engine of this run (GLUON_BROWSER).
//   doctor: the browsers found, and what is missing;
//   dev: a page change reloads the page, a backend change restarts the backend (its browser
//        gone), a build error is shown and a fix recovers, Ctrl+C leaves no process behind;
//   create -> npm install (this package, packed) -> typecheck -> npm run build, once (Chromium
//        pass); then on each engine: npm start headless -> IPC -> Ctrl+C; npm test; the one-file
//        bundle (moved out of the project) and the single executable each run, answer over IPC,
//        and leave nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE, installedFirefox, interruptAndCheck, killMarked, repoRoot, runNode, startInGroup, waitForNoneRunning } from './helpers.js';

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
// NODE_TEST_CONTEXT would make an app's own `node --test` report to this test runner instead of printing.
const { NODE_TEST_CONTEXT: _, ...outside } = process.env;
const headless = { ...outside, GLUON_HEADLESS: '1', GLUON_DEBUG: '' };

const cli = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) =>
  runNode(CLI, args, { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, timeout: options.timeout ?? 60_000 });

test('--help works for gluon-ts and each command; mistakes get a clear error', async (t) => {
  // No browser is involved: it runs once, in the Chromium pass.
  if (ENGINE !== 'chromium') return t.skip('runs in the Chromium pass (no browser involved)');
  const main = await cli(['--help']);
  assert.equal(main.code, 0);
  for (const command of ['create', 'dev', 'build', 'install', 'uninstall', 'doctor']) assert.match(main.stdout, new RegExp(`\\n  ${command} `));
  for (const command of ['create', 'dev', 'build', 'install', 'uninstall', 'doctor']) {
    for (const args of [[command, '--help'], ['help', command]]) {
      const result = await cli(args);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, new RegExp(`^Usage: gluon-ts ${command}`), args.join(' '));
    }
  }
  const unknown = await cli(['deploy']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown command "deploy". Commands: create, dev, build, install, uninstall, doctor/);
  const badOption = await cli(['build', '--fast']);
  assert.equal(badOption.code, 1);
  assert.match(badOption.stderr, /--fast.*\(gluon-ts build --help\)/);
  const noDir = await cli(['create']);
  assert.equal(noDir.code, 1);
  assert.match(noDir.stderr, /which folder\? gluon-ts create <dir>/);
  const empty = mkdtempSync(join(tmpdir(), 'gluon-cli-empty-'));
  const noProject = await cli(['build'], { cwd: empty }).finally(() => rmSync(empty, { recursive: true, force: true }));
  assert.equal(noProject.code, 1);
  assert.match(noProject.stderr, /no package\.json in .* or any folder above it/);
});

test('doctor lists the browsers found, with engine, version and path, and what is missing', async () => {
  const text = await cli(['doctor']);
  assert.equal(text.code, 0, text.stderr);
  const json = await cli(['doctor', '--json']);
  const report = JSON.parse(json.stdout);
  assert.ok(report.browsers.length >= 1);
  for (const browser of report.browsers) {
    assert.ok(existsSync(browser.path), browser.path);
    assert.match(browser.engine, /^(chromium|firefox)$/);
    assert.match(browser.version, /\d+\.\d+/, `${browser.name} answered --version`);
    assert.ok(text.stdout.includes(browser.path), `the text lists ${browser.path}`);
  }
  const engineOfThisRun = report.browsers.find((browser: { engine: string }) => browser.engine === ENGINE);
  assert.ok(engineOfThisRun, `doctor found a ${ENGINE} browser`);
  assert.ok(report.notFound.length > 0 && report.notFound.every((b: { searched: string[] }) => b.searched.length > 0), 'each browser not found says where it was looked for');
  console.log(`# doctor found: ${report.browsers.map((b: { name: string; version: string }) => `${b.name} (${b.version})`).join(', ')}`);

  // With nothing on PATH, only the fixed install paths are left to find.
  const home = mkdtempSync(join(tmpdir(), 'gluon-cli-home-'));
  const bare = await cli(['doctor'], { env: { PATH: '/nonexistent', HOME: home } });
  const bareJson = JSON.parse((await cli(['doctor', '--json'], { env: { PATH: '/nonexistent', HOME: home } })).stdout);
  rmSync(home, { recursive: true, force: true });
  if (bareJson.browsers.length === 0) {
    assert.equal(bare.code, 1);
    assert.match(bare.stdout, /Browsers found: none\./);
    assert.match(bare.stdout, /Missing: no Chromium-family browser .*\n.*apt-get install chromium/);
    assert.match(bare.stdout, /Missing: no Firefox-family browser/);
    assert.match(bare.stdout, /An app cannot open: No supported browser found/);
  } else {
    console.log('# doctor without PATH still found browsers at fixed install paths: the "missing" output was not checked');
  }
});

/** A small app for dev: its backend says who it is, its page calls hello() with a version. */
function devProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gluon-cli-dev-'));
  mkdirSync(join(dir, 'ui'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules', 'gluon-ts'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'dev-check', type: 'module', private: true }));
  writeFileSync(join(dir, 'main.ts'), backendSource('b1'));
  writeFileSync(join(dir, 'ui', 'index.html'), '<!doctype html><title>dev check</title><script type="module" src="app.js"></script>');
  writeFileSync(join(dir, 'ui', 'app.ts'), pageSource('v1'));
  return dir;
}
const backendSource = (tag: string) => `import * as Gluon from 'gluon-ts';
const tag: string = ${JSON.stringify(tag)};
const Window = await Gluon.open('ui', { incognito: true });
Window.ipc.hello = (text: string) => { console.log(\`backend \${tag} pid \${process.pid}: page says \${text}\`); return tag; };
`;
const pageSource = (version: string) => `declare const Gluon: { ipc: { hello(text: string): Promise<string> } };
const version: string = ${JSON.stringify(version)};
document.title = 'backend ' + (await Gluon.ipc.hello(version));
`;

test('dev: a page change reloads the page, a backend change restarts the backend, a build error recovers, Ctrl+C leaves nothing', { timeout: 240_000 }, async () => {
  const dir = devProject();
  const run = startInGroup(process.execPath, [CLI, 'dev'], dir, headless);
  try {
    const first = await run.waitFor(/backend b1 pid (\d+): page says v1/, 'the app to start and the page to call it');
    const firstPid = Number(first[1]);
    run.tree.look();
    const firstTree = [...run.tree.seen.values()];

    // The page: rebuilt and reloaded; the same backend answers.
    let mark = run.output.length;
    writeFileSync(join(dir, 'ui', 'app.ts'), pageSource('v2'));
    const reloaded = await run.waitFor(/backend b1 pid (\d+): page says v2/, 'the reloaded page', 30_000, mark);
    assert.equal(Number(reloaded[1]), firstPid, 'the backend kept running');
    assert.match(run.output.slice(mark), /page changed \(ui[\\/]app\.ts\): reloaded/);
    assert.doesNotMatch(run.output.slice(mark), /app started/);

    // The backend: stopped (its browser with it), rebuilt, started again.
    mark = run.output.length;
    writeFileSync(join(dir, 'main.ts'), backendSource('b2'));
    const restarted = await run.waitFor(/backend b2 pid (\d+): page says v2/, 'the restarted backend', 60_000, mark);
    assert.notEqual(Number(restarted[1]), firstPid, 'a new backend process');
    assert.match(run.output.slice(mark), /changed: main\.ts: restarting the app/);
    // The first app's processes: not dev itself, nor the esbuild service it keeps.
    const firstApp = firstTree.filter((proc) => proc.pid !== run.child.pid && proc.name !== 'esbuild');
    assert.ok(firstApp.some((proc) => proc.pid === firstPid) && firstApp.length > 1, 'the first backend and its browser were seen');
    const leftOfFirst = await waitForNoneRunning(firstApp, 5000);
    assert.deepEqual(leftOfFirst.map((proc) => `${proc.pid} ${proc.name}`), [], 'the first backend and its browser are gone');

    // A broken backend: the error names the file and line; saving a fix starts it again.
    mark = run.output.length;
    writeFileSync(join(dir, 'main.ts'), `${backendSource('b3')}\nconst broken = ;\n`);
    await run.waitFor(/build failed:\n.*main\.ts:\d+:\d+: /, 'the build error', 30_000, mark);
    mark = run.output.length;
    writeFileSync(join(dir, 'main.ts'), backendSource('b3'));
    await run.waitFor(/backend b3 pid \d+: page says v2/, 'the fixed backend', 60_000, mark);
    console.log(`# dev: page reload kept backend ${firstPid}; restart gave ${restarted[1]}; ${firstApp.length} processes of the first app gone`);

    await interruptAndCheck(run, 'gluon-ts dev');
  } finally {
    run.interrupt();
    killMarked(run.tree.mark);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs an npm command in `cwd` (with `env`, default: headless on this run's engine); throws with its output if it fails. */
function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = headless, timeout = 300_000): string {
  const result = spawnSync('npm', args, { cwd, env: { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }, encoding: 'utf8', timeout });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

// Creating, installing, type-checking and building the project is the same whatever the engine:
// it is done once, in the Chromium pass, and what runs a browser (npm start, npm test, the bundle,
// the executable) then runs on each engine (Firefox through GLUON_BROWSER, as a user picks it).
test('create -> npm install -> typecheck -> build; on each engine: npm start -> IPC -> Ctrl+C, npm test, the bundle and the executable run', { timeout: 900_000 }, async (t) => {
  if (ENGINE !== 'chromium') return t.skip('runs in the Chromium pass, on each engine (the project is made once)');
  const firefox = await installedFirefox();
  if (!firefox && process.env.CI) assert.fail('CI needs a Firefox-family browser for this test');
  if (!firefox) t.diagnostic('no Firefox-family browser: the Chromium runs only');
  const engines = new Map<string, NodeJS.ProcessEnv>([['chromium', headless]]);
  if (firefox) engines.set('firefox', { ...headless, GLUON_BROWSER: firefox.path });
  const work = mkdtempSync(join(tmpdir(), 'gluon-cli-create-'));
  const runs: ReturnType<typeof startInGroup>[] = [];
  try {
    // This package as users get it: packed, then installed from the tarball.
    const tarball = join(work, npm(['pack', '--silent', '--pack-destination', work], repoRoot).trim().split('\n').pop()!);
    assert.ok(existsSync(tarball), tarball);

    const created = await cli(['create', 'my-app', '--gluon', `file:${tarball}`], { cwd: work });
    assert.equal(created.code, 0, created.stderr);
    const app = join(work, 'my-app');
    for (const file of ['package.json', 'tsconfig.json', 'main.ts', 'api.ts', 'ui/index.html', 'ui/app.ts', 'test/app.test.ts', '.gitignore', 'README.md']) {
      assert.ok(existsSync(join(app, file)), `create wrote ${file}`);
    }
    assert.match(created.stdout, /Next:\n  cd my-app\n  npm install\n  npm start/);
    const again = await cli(['create', 'my-app'], { cwd: work });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists and is not empty/);

    let started = Date.now();
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
    console.log(`# create: npm install took ${Date.now() - started} ms`);
    npm(['run', 'typecheck'], app); // the template's types hold against the packed package

    // npm run build: the bundle, the page and the single executable, with sizes.
    const built = npm(['run', 'build'], app);
    assert.match(built, /main\.mjs\s+[\d.]+ (kB|MB)\s+backend and gluon-ts in one file/);
    assert.match(built, /ui\/\s+[\d.]+ (B|kB)\s+the page, 3 files/);
    const exe = join(app, 'dist', 'my-app');
    assert.ok(existsSync(join(app, 'dist', 'main.mjs')));
    assert.ok(existsSync(join(app, 'dist', 'ui', 'app.js')) && !existsSync(join(app, 'dist', 'ui', 'app.ts')));
    assert.match(built, /my-app\s+[\d.]+ MB\s+single executable/, `the executable was built:\n${built}`);
    assert.ok(statSync(exe).size > 10e6);
    if (process.platform === 'linux') {
      // A desktop entry for it, whose StartupWMClass is the window class open() gives the browser.
      const entry = readFileSync(join(app, 'dist', 'my-app.desktop'), 'utf8');
      assert.match(entry, /^StartupWMClass=my-app$/m);
      assert.ok(entry.includes(`\nExec=${exe}\n`), entry);
    }
    const before = readdirSync(join(app, 'dist')).sort().map((name) => [name, statSync(join(app, 'dist', name)).mtimeMs]);

    // The bundle needs nothing of the project: moved to a folder of its own, it runs.
    const moved = join(work, 'shipped');
    cpSync(join(app, 'dist'), moved, { recursive: true });
    rmSync(join(moved, 'my-app'));
    rmSync(join(moved, 'my-app.desktop'), { force: true });
    assert.deepEqual(readdirSync(moved).sort(), ['main.mjs', 'ui']);
    // The single executable: no node, no files beside it.
    const alone = join(work, 'alone');
    mkdirSync(alone);
    cpSync(exe, join(alone, 'my-app'));

    for (const [engine, env] of engines) {
      // npm start: the dev server runs the app; the page answers the backend over IPC.
      const start = startInGroup('npm', ['start'], app, env);
      runs.push(start);
      const open = await start.waitFor(/window open: (.+)/, `npm start to open the window (${engine})`, 90_000);
      assert.equal(open[1].trim(), 'My app', `the backend read the page heading over IPC (${engine})`);
      await interruptAndCheck(start, `npm start (${engine})`);
      const names = start.tree.browser().map((proc) => proc.name).join(' ');
      assert.ok(engine === 'firefox' ? /firefox/.test(names) : /chrom/.test(names), `npm start ran ${engine}: ${names}`);

      // npm test: the template's own headless test. Its build goes to .gluon/test/, so the build in
      // dist/ is left as it was.
      started = Date.now();
      assert.match(npm(['test'], app, env), /# pass 1/, engine);
      console.log(`# create: npm test passed in ${Date.now() - started} ms (${engine})`);
      assert.deepEqual(readdirSync(join(app, 'dist')).sort().map((name) => [name, statSync(join(app, 'dist', name)).mtimeMs]), before, `npm test changed dist/ (${engine})`);
      assert.ok(existsSync(join(app, '.gluon', 'test', 'main.mjs')));

      const bundled = startInGroup(process.execPath, [join(moved, 'main.mjs')], work, env);
      runs.push(bundled);
      assert.equal((await bundled.waitFor(/window open: (.+)/, `the bundle to open its window (${engine})`))[1].trim(), 'My app');
      await interruptAndCheck(bundled, `node dist/main.mjs (moved, ${engine})`);

      const cache = join(work, `cache-${engine}`);
      const executable = startInGroup(join(alone, 'my-app'), [], alone, { ...env, XDG_CACHE_HOME: cache });
      runs.push(executable);
      assert.equal((await executable.waitFor(/window open: (.+)/, `the executable to open its window (${engine})`))[1].trim(), 'My app');
      await interruptAndCheck(executable, `the single executable (${engine})`);
      // Its page files, unpacked once per build into the user's cache, are the built ones.
      const [unpacked] = readdirSync(join(cache, 'gluon-ts-apps'));
      assert.match(unpacked, /^my-app-[0-9a-f]{12}$/);
      for (const file of ['index.html', 'app.js', 'style.css']) {
        assert.equal(readFileSync(join(cache, 'gluon-ts-apps', unpacked, 'ui', file), 'utf8'), readFileSync(join(app, 'dist', 'ui', file), 'utf8'), file);
      }
    }
  } finally {
    for (const run of runs) {
      run.interrupt();
      killMarked(run.tree.mark);
    }
    rmSync(work, { recursive: true, force: true });
  }
});
