// open(): local apps served under the private app origin, paths resolved like imports,
// security defaults (http, navigation, dangerous options), headless and browser choice.
import { spawn } from 'node:child_process';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, writeFile, symlink, rm, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as Gluon from '../../src/index.js';
import { ENGINE, fixture, installedFirefox, repoRoot, runNode, sharedBrowser, sleep, waitFor } from './helpers.js';

/**
 * The tests that look at what a window serves, allows and warns about open their windows in one
 * browser; those about how open() starts a browser (or refuses to) start their own.
 */
const open = sharedBrowser();

let work: string;
let appDir: string;
let binary: Buffer;
let secret: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'gluon-e2e-'));
  appDir = join(work, 'app');
  await cp(fixture('app'), appDir, { recursive: true });
  binary = randomBytes(256 * 1024);
  await writeFile(join(appDir, 'blob.wasm'), binary);
  await writeFile(join(appDir, 'font.woff2'), binary.subarray(0, 1000));
  await writeFile(join(appDir, 'image.png'), binary.subarray(0, 5000));
  secret = `TOP-SECRET-${randomBytes(8).toString('hex')}`;
  await writeFile(join(work, 'secret.txt'), secret);
  await symlink(join(work, 'secret.txt'), join(appDir, 'link-out.txt'));
  await mkdir(join(appDir, 'inner'));
  await writeFile(join(appDir, 'inner', 'ok.txt'), 'inside');
  await symlink(join(appDir, 'inner', 'ok.txt'), join(appDir, 'link-in.txt'));
});
after(() => rm(work, { recursive: true, force: true }));

test('a local folder is served under the private https app origin: documents, CSS, ES modules, dynamic import, fetch', async () => {
  const win = await open(appDir);
  try {
    await waitFor(win, 'window.json');
    const page = await win.page.eval<any>(`({
      href: location.href,
      secure: isSecureContext,
      moduleResult: window.moduleResult,
      dynamicResult: window.dynamicResult,
      json: window.json,
      color: getComputedStyle(document.querySelector('h1')).color,
    })`);
    assert.equal(page.href, `${Gluon.APP_ORIGIN}/`, 'the entry is at /, as in Gluon');
    assert.equal(page.secure, true);
    assert.equal(page.moduleResult, 42);
    assert.equal(page.dynamicResult, 'dynamic import works');
    assert.deepEqual(page.json, { hello: 'from data.json' });
    assert.equal(page.color, 'rgb(1, 2, 3)');
  } finally {
    await win.close();
  }
});

test('served files have the right MIME types, binaries arrive byte-exact, missing files are 404, HTML carries the CSP', async () => {
  const win = await open(appDir);
  try {
    await win.page.loaded;
    const got = await win.page.eval<any>(`(async () => {
      const out = {};
      for (const path of ['index.html', 'style.css', 'main.js', 'data.json', 'blob.wasm', 'font.woff2', 'image.png', 'missing.txt']) {
        const response = await fetch(path);
        const bytes = new Uint8Array(await response.arrayBuffer());
        const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
        out[path] = { status: response.status, type: response.headers.get('content-type'), csp: response.headers.get('content-security-policy'), digest, length: bytes.length };
      }
      return out;
    })()`);
    assert.match(got['index.html'].type, /^text\/html/);
    assert.match(got['style.css'].type, /^text\/css/);
    assert.match(got['main.js'].type, /^text\/javascript/);
    assert.match(got['data.json'].type, /^application\/json/);
    assert.equal(got['blob.wasm'].type, 'application/wasm');
    assert.equal(got['font.woff2'].type, 'font/woff2');
    assert.equal(got['image.png'].type, 'image/png');
    const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    assert.equal(got['blob.wasm'].digest, sha(binary));
    assert.equal(got['font.woff2'].digest, sha(binary.subarray(0, 1000)));
    assert.equal(got['image.png'].digest, sha(binary.subarray(0, 5000)));
    assert.equal(got['missing.txt'].status, 404);
    // The default policy, plus the exact address of the IPC data channel in connect-src.
    assert.match(got['index.html'].csp, /connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ https:/);
    assert.equal(got['index.html'].csp.replace(/ ws:\/\/127\.0\.0\.1:\d+/, ''), Gluon.DEFAULT_CSP);
    assert.equal(got['style.css'].csp, null);
  } finally {
    await win.close();
  }
});

test('the page cannot read outside the app folder: .., encoded and double-encoded dots, backslashes, NUL, absolute paths, symlinks', async () => {
  const win = await open(appDir);
  try {
    await win.page.loaded;
    const attempts = [
      '/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/..%2fsecret.txt', '/%252e%252e/secret.txt',
      '/..%5csecret.txt', '/%5c..%5csecret.txt', '/secret.txt%00.html', `/${encodeURIComponent(join(work, 'secret.txt'))}`,
      `//${join(work, 'secret.txt')}`, '/link-out.txt', `/${'a/'.repeat(3000)}x`,
    ];
    const results = await win.page.eval<any[]>(`Promise.all(${JSON.stringify(attempts)}.map(async (path) => {
      const response = await fetch('${Gluon.APP_ORIGIN}' + path).catch((e) => null);
      return response ? { path, status: response.status, body: await response.text() } : { path, status: 0, body: '' };
    }))`);
    for (const { path, status, body } of results) {
      assert.ok([0, 400, 403, 404, 414].includes(status), `${path} -> ${status}`);
      assert.ok(!body.includes(secret), `${path} leaked the secret`);
    }
    assert.equal(await win.page.eval(`fetch('/link-in.txt').then((r) => r.text())`), 'inside', 'a symlink that stays inside the root works');
  } finally {
    await win.close();
  }
});

test('a relative path is resolved against the calling module, not the working directory', async () => {
  const { openRelative } = await import(pathToFileURL(fixture('relative', 'open-ui.mjs')).href);
  const previous = process.cwd();
  process.chdir(tmpdir());
  let win: Gluon.Window | undefined;
  try {
    win = (await openRelative({ headless: true, incognito: true })) as Gluon.Window;
    await win.page.loaded;
    assert.equal(await win.page.title(), 'Relative');
  } finally {
    process.chdir(previous);
    await win?.close();
  }
});

test('a missing local path fails with an error that says where it looked; a drive-letter path is a path, not a URL', async () => {
  await assert.rejects(Gluon.open(join(work, 'nope'), { headless: true }), (error: Error) => {
    assert.match(error.message, /nope/);
    return true;
  });
  await assert.rejects(Gluon.open('C:\\no\\such\\app', { headless: true }), /no.such.app/);
});

test('http:// is refused unless allowHTTP is true', async () => {
  await assert.rejects(Gluon.open('http://example.invalid/', { headless: true }), /http:\/\/ URLs are blocked by default.*allowHTTP/s);
  await assert.rejects(Gluon.open('http://example.invalid/', { headless: true, allowHTTP: 'mixed' }), /allowHTTP/);
});

test('dangerous options warn once per process', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error & { code?: string }) => { if (warning.code === 'GLUON_DANGEROUS_OPTION') warnings.push(warning.message); };
  process.on('warning', onWarning);
  try {
    for (let i = 0; i < 2; i++) {
      const win = await open('app', { allowNavigation: true, localCSP: '' });
      await win.close();
    }
    await sleep(20);
    assert.equal(warnings.filter((w) => /allowNavigation/.test(w)).length, 1);
    assert.equal(warnings.filter((w) => /localCSP/.test(w)).length, 1);
  } finally {
    process.off('warning', onWarning);
  }
});

test("allowNavigation 'same-origin' (default) allows same-origin pages and blocks other origins", async () => {
  const win = await open('app');
  try {
    await win.page.loaded;
    await win.page.eval(`location.href = 'https://elsewhere.invalid/phish.html'`);
    await sleep(300);
    assert.equal(await win.page.eval('location.href'), `${Gluon.APP_ORIGIN}/`, 'the cross-origin navigation was blocked');
    assert.equal(await win.page.eval('typeof Gluon'), 'object');
    await win.page.eval(`location.href = '/sub/index.html'`);
    await waitFor(win, `document.title === 'Sub page'`);
  } finally {
    await win.close();
  }
});

test('allowNavigation false blocks even same-origin pages; reload still works', async () => {
  const win = await open('app', { allowNavigation: false });
  try {
    await win.page.loaded;
    await win.page.eval(`location.href = '/sub/index.html'`);
    await sleep(300);
    assert.equal(await win.page.eval('location.pathname'), '/');
    await win.page.reload();
    await waitFor(win, 'window.moduleResult');
  } finally {
    await win.close();
  }
});

test('allowNavigation true lets the window leave, and the other origin gets no Gluon', async () => {
  const win = await open('app', { allowNavigation: true });
  try {
    await win.page.loaded;
    await win.page.eval(`location.href = 'https://elsewhere.invalid/'`);
    await waitFor(win, `!location.href.startsWith('${Gluon.APP_ORIGIN}')`, 15_000); // an unresolvable host: slow to fail on a busy machine
    assert.equal(await win.page.eval('typeof window.Gluon'), 'undefined');
  } finally {
    await win.close();
  }
});

test('with no display and no headless asked, open() explains what to do', async () => {
  const env = { ...process.env };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  delete env.GLUON_HEADLESS;
  const script = `import('${pathToFileURL(join(repoRoot, 'dist', 'src', 'index.js')).href}')
    .then((G) => G.open('${fixture('app')}', { incognito: true }))
    .then((w) => w.close())
    .then(() => console.log('opened'), (e) => { console.log(e.message); process.exit(3); })`;
  const file = join(work, 'no-display.mjs');
  await writeFile(file, script);
  const { code, stdout } = await runNode(file, [], { env });
  assert.equal(code, 3);
  assert.match(stdout, /no display.*xvfb-run.*GLUON_HEADLESS=1/s);
  const headless = await runNode(file, [], { env: { ...env, GLUON_HEADLESS: '1' } });
  assert.equal(headless.code, 0, headless.stdout + headless.stderr);
  assert.match(headless.stdout, /opened/, 'GLUON_HEADLESS=1 opens headless');
});

test('a browser that is asked for but not installed gives an error listing what was searched and how to install one', async () => {
  await assert.rejects(Gluon.open(fixture('app'), { headless: true, forceBrowser: 'vivaldi' }), (error: Error) => {
    assert.equal(error.name, 'BrowserNotFoundError');
    assert.match(error.message, /vivaldi/i);
    assert.match(error.message, /apt-get install chromium|GLUON_BROWSER/);
    return true;
  });
  const previous = process.env.GLUON_BROWSER;
  process.env.GLUON_BROWSER = join(work, 'no-such-browser');
  try {
    await assert.rejects(Gluon.open(fixture('app'), { headless: true }), /no-such-browser/);
  } finally {
    if (previous === undefined) delete process.env.GLUON_BROWSER;
    else process.env.GLUON_BROWSER = previous;
  }
});

test('opening a window on a profile that another run of the app is using fails at once, saying why and what to do', async () => {
  const dataPath = join(work, 'shared-profile');
  // The other run: another Node process with its browser on that profile.
  const other = spawn(process.execPath, [fixture('hold-profile.mjs'), dataPath], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      other.stdout!.on('data', (chunk) => {
        out += chunk;
        if (out.includes('READY')) resolve();
      });
      other.on('exit', (code) => reject(new Error(`the other run exited (${code})`)));
    });
    const started = Date.now();
    await assert.rejects(Gluon.open(fixture('app'), { headless: true, dataPath }), /profile folder .* is in use by another browser.*incognito/s);
    assert.ok(Date.now() - started < 10000);
  } finally {
    const exited = new Promise((resolve) => other.once('exit', resolve));
    process.kill(-other.pid!, 'SIGTERM');
    await exited;
  }
});

test('the user picks the browser on the command line or with GLUON_BROWSER, as in Gluon', async () => {
  const { findBrowser } = await import('../../src/browser/find.js');
  const chosen = await findBrowser({ forceEngine: ENGINE, argv: [], env: { ...process.env, GLUON_BROWSER: '' } });
  const env = { ...process.env, GLUON_HEADLESS: '1' };
  // A real app reads its own command line and environment; every spelling of the flag
  // (--browser=NAME, --browser=NAME,PATH, ...) is checked in test/unit/browser.test.ts.
  const runs: [string[], NodeJS.ProcessEnv][] = [
    [[`--browser=${chosen.id},${chosen.path}`], env],
    [[], { ...env, GLUON_BROWSER: chosen.path }],
  ];
  for (const [args, runEnv] of runs) {
    const { code, stdout, stderr } = await runNode(fixture('seed', 'expose.mjs'), args, { cwd: fixture('seed'), env: runEnv });
    assert.equal(code, 0, `${args.join(' ')}: ${stderr}`);
    assert.deepEqual(JSON.parse(stdout.trim().split('\n').pop() ?? ''), { result: { theme: 'dark', source: 'config.json' } }, `${args.join(' ') || 'GLUON_BROWSER'}: ${stderr}`);
  }
  const missing = await runNode(fixture('seed', 'expose.mjs'), ['--browser=chromium,/no/such/chromium'], { cwd: fixture('seed'), env });
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /\/no\/such\/chromium/);
});

test('localCSP replaces the default policy and the browser enforces it', async () => {
  const policy = "default-src 'self'; script-src 'self'";
  const win = await open(appDir, { localCSP: policy });
  try {
    await waitFor(win, 'window.moduleResult');
    assert.equal(await win.page.eval(`fetch('/index.html').then((r) => r.headers.get('content-security-policy'))`), policy);
    assert.equal(await win.page.eval('window.early'), undefined, 'the inline script was blocked by the stricter policy');
    assert.equal(await win.page.eval('window.moduleResult'), 42, 'same-origin module scripts still run');
  } finally {
    await win.close();
  }
});

// In a browser already running, where a window's page starts soonest. Where open() starts the
// browser, seed.e2e makes the same check with a function exposed right after it (five runs per sample).
test("what the app does right after `await open()` is in place before the page's first script runs", async () => {
  for (let run = 1; run <= 3; run++) {
    const win = await open('app');
    try {
      win.ipc.store.run = run;
      win.ipc.store.config = { theme: 'dark' };
      const early = await waitFor<any>(win, 'window.early');
      assert.deepEqual(early.store, { run, config: { theme: 'dark' } }, `run ${run}`);
    } finally {
      await win.close();
    }
  }
});

test('node app.js --firefox runs a Gluon app on Firefox, --chromium on Chromium', async (t) => {
  // It starts both engines whichever this pass tests: it runs once, in the Firefox pass.
  if (ENGINE !== 'firefox') return t.skip('runs in the Firefox pass (it starts both engines)');
  if (!(await installedFirefox())) return t.skip('no Firefox-family browser installed');
  const env = { ...process.env, GLUON_HEADLESS: '1', GLUON_DEBUG: 'window' };
  for (const [flag, family] of [['--firefox', /using (Firefox|LibreWolf|Waterfox|Floorp)[^\n]* at /], ['--chromium', /using Chromium at /]] as const) {
    const { code, stdout, stderr } = await runNode(fixture('seed', 'expose.mjs'), [flag], { cwd: fixture('seed'), env });
    assert.equal(code, 0, `${flag}: ${stderr}`);
    assert.match(stderr, family, flag);
    assert.deepEqual(JSON.parse(stdout.trim().split('\n').pop() ?? ''), { result: { theme: 'dark', source: 'config.json' } }, flag);
  }
});
