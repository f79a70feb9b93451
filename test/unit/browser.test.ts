// Browser discovery (catalogue + find), the Chromium command line and profile folders.
// Installations are faked through findBrowser's `exists`, so every platform is covered here.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, mkdir, writeFile, stat, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findBrowser, BrowserNotFoundError, type FindBrowserOptions } from '../../src/browser/find.js';
import { CATALOGUE, browsersNamed } from '../../src/browser/catalogue.js';
import { chromiumArgs } from '../../src/browser/chromium.js';
import {
  firefoxPrefs, firefoxTemplateDir, isNewFirefoxProfile, saveFirefoxTemplate, seedFirefoxProfile,
} from '../../src/browser/firefox.js';
import { profileDir, appIdFor, makeIncognitoDir } from '../../src/browser/profile.js';

/** A fake filesystem where exactly `installed` exist; records every path asked about. */
function fakeFs(...installed: string[]) {
  const set = new Set(installed);
  const asked: string[] = [];
  return {
    asked,
    exists: async (p: string) => {
      asked.push(p);
      return set.has(p);
    },
  };
}

const LINUX_PATH = '/usr/local/bin:/usr/bin:/bin';
function linux(installed: string[], more: Partial<FindBrowserOptions> = {}) {
  const fs = fakeFs(...installed);
  return {
    fs,
    find: () =>
      findBrowser({
        platform: 'linux',
        homedir: '/home/u',
        argv: ['node', 'app.js'],
        ...more,
        env: { PATH: LINUX_PATH, ...more.env },
        exists: fs.exists,
      }),
  };
}

async function rejectsNotFound(p: Promise<unknown>): Promise<BrowserNotFoundError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof BrowserNotFoundError, `expected BrowserNotFoundError, got ${e}`);
    return e;
  }
  assert.fail('expected findBrowser to throw');
}

describe('catalogue', () => {
  test('ids are unique and Chromium-family browsers come before Firefox-family ones', () => {
    const ids = CATALOGUE.map((b) => b.id);
    assert.equal(new Set(ids).size, ids.length);
    const firstFirefox = CATALOGUE.findIndex((b) => b.engine === 'firefox');
    assert.ok(CATALOGUE.slice(firstFirefox).every((b) => b.engine === 'firefox'));
    assert.deepEqual(ids.slice(0, 6), ['chrome', 'chromium', 'edge', 'brave', 'vivaldi', 'thorium']);
    for (const id of ['chrome_beta', 'chrome_dev', 'chrome_canary', 'chromium_snapshot', 'edge_beta', 'edge_dev',
      'edge_canary', 'firefox', 'firefox_esr', 'firefox_beta', 'firefox_developer', 'firefox_nightly', 'librewolf',
      'waterfox', 'floorp']) {
      assert.ok((ids as string[]).includes(id), id);
    }
  });

  test('names resolve to an entry followed by its family', () => {
    assert.deepEqual(browsersNamed('chrome').map((b) => b.id), ['chrome', 'chrome_beta', 'chrome_dev', 'chrome_canary']);
    assert.deepEqual(browsersNamed('Chrome Beta').map((b) => b.id), ['chrome_beta']);
    assert.deepEqual(browsersNamed('chrome-beta').map((b) => b.id), ['chrome_beta']);
    assert.deepEqual(browsersNamed('edge').map((b) => b.id), ['edge', 'edge_beta', 'edge_dev', 'edge_canary']);
    assert.equal(browsersNamed('firefox')[0]!.id, 'firefox');
    assert.equal(browsersNamed('firefox')[1]!.id, 'firefox_esr');
    assert.deepEqual(browsersNamed('chromium').map((b) => b.id), ['chromium', 'chromium_snapshot']);
    assert.deepEqual(browsersNamed('netscape'), []);
  });
});

describe('findBrowser on Linux', () => {
  test('looks each binary up in every PATH directory', async () => {
    const { fs, find } = linux(['/usr/bin/chromium']);
    assert.deepEqual(await find(), { id: 'chromium', name: 'Chromium', engine: 'chromium', path: '/usr/bin/chromium' });
    for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) assert.ok(fs.asked.includes(`${dir}/google-chrome`));
  });

  test('prefers Chrome over Chromium over Firefox', async () => {
    assert.equal((await linux(['/usr/bin/firefox', '/usr/bin/chromium', '/bin/google-chrome-stable']).find()).id, 'chrome');
    assert.equal((await linux(['/usr/bin/firefox', '/usr/bin/chromium-browser']).find()).id, 'chromium');
    assert.equal((await linux(['/usr/bin/firefox']).find()).id, 'firefox');
  });

  test('finds well-known absolute paths, snaps and flatpaks', async () => {
    assert.deepEqual(await linux(['/opt/google/chrome/chrome']).find(), {
      id: 'chrome', name: 'Chrome', engine: 'chromium', path: '/opt/google/chrome/chrome',
    });
    assert.equal((await linux(['/snap/bin/chromium']).find()).path, '/snap/bin/chromium');
    const user = '/home/u/.local/share/flatpak/exports/bin/org.chromium.Chromium';
    assert.deepEqual(await linux([user]).find(), { id: 'chromium', name: 'Chromium', engine: 'chromium', path: user });
    const sys = '/var/lib/flatpak/exports/bin/com.brave.Browser';
    assert.equal((await linux([sys]).find()).id, 'brave');
  });

  test('ignores relative PATH entries', async () => {
    const { fs, find } = linux(['bin/chromium'], { env: { PATH: 'bin::/usr/bin' } });
    await rejectsNotFound(find());
    assert.ok(!fs.asked.some((p) => !p.startsWith('/')));
  });

  test('forceEngine filters automatic detection', async () => {
    const installed = ['/usr/bin/chromium', '/usr/bin/firefox-esr', '/usr/bin/firefox'];
    const ff = await linux(installed, { forceEngine: 'firefox' }).find();
    assert.deepEqual(ff, { id: 'firefox_esr', name: 'Firefox ESR', engine: 'firefox', path: '/usr/bin/firefox-esr' });
    assert.equal((await linux(installed, { forceEngine: 'chromium' }).find()).id, 'chromium');
    const err = await rejectsNotFound(linux(['/usr/bin/chromium'], { forceEngine: 'firefox' }).find());
    assert.match(err.message, /No Firefox-family browser found/);
    assert.match(err.message, /apt-get install firefox-esr/);
    assert.doesNotMatch(err.message, /google-chrome/);
  });
});

describe('findBrowser precedence', () => {
  const everything = ['/usr/bin/google-chrome', '/usr/bin/chromium', '/usr/bin/microsoft-edge', '/usr/bin/firefox'];

  test('forceBrowser beats argv, argv beats GLUON_BROWSER, GLUON_BROWSER beats auto', async () => {
    const argv = ['node', 'app.js', '--chromium'];
    const env = { GLUON_BROWSER: 'firefox' };
    assert.equal((await linux(everything, { forceBrowser: 'edge', argv, env }).find()).id, 'edge');
    assert.equal((await linux(everything, { argv, env }).find()).id, 'chromium');
    assert.equal((await linux(everything, { env }).find()).id, 'firefox');
    assert.equal((await linux(everything).find()).id, 'chrome');
  });

  test('the first browser flag on the command line wins; unrelated flags are ignored', async () => {
    const argv = ['node', 'app.js', '--verbose', '--edge', '--chromium'];
    assert.equal((await linux(everything, { argv }).find()).id, 'edge');
  });

  test('forceBrowser accepts friendly names', async () => {
    const beta = ['/usr/bin/google-chrome-beta', ...everything];
    assert.equal((await linux(beta, { forceBrowser: 'Chrome Beta' }).find()).id, 'chrome_beta');
    assert.equal((await linux(beta, { forceBrowser: 'chrome-beta' }).find()).id, 'chrome_beta');
    assert.equal((await linux(beta, { forceBrowser: 'Microsoft Edge' }).find()).id, 'edge');
  });

  test('--<id>, --<id with dashes> and --<family>', async () => {
    const installed = ['/usr/bin/chromium', '/usr/bin/google-chrome-beta', '/usr/bin/google-chrome-unstable'];
    const run = (flag: string) => linux(installed, { argv: ['node', 'app.js', flag] }).find();
    assert.equal((await run('--chrome_beta')).id, 'chrome_beta');
    assert.equal((await run('--chrome-beta')).id, 'chrome_beta');
    assert.equal((await run('--chrome_dev')).id, 'chrome_dev');
    // Chrome stable is missing: the family flag takes the first installed channel.
    assert.deepEqual(await run('--chrome'), {
      id: 'chrome_beta', name: 'Chrome Beta', engine: 'chromium', path: '/usr/bin/google-chrome-beta',
    });
    const esr = await linux(['/usr/bin/chromium', '/usr/bin/firefox-esr'], { argv: ['--firefox'] }).find();
    assert.equal(esr.id, 'firefox_esr');
  });

  test('--browser=NAME, --browser=NAME,PATH and --browser=PATH', async () => {
    const custom = '/home/u/builds/my-chrome';
    const run = (arg: string, installed = [custom, ...everything]) =>
      linux(installed, { argv: ['node', 'app.js', arg] }).find();
    assert.equal((await run('--browser=edge')).id, 'edge');
    assert.deepEqual(await run(`--browser=chrome,${custom}`), {
      id: 'chrome', name: 'Chrome', engine: 'chromium', path: custom,
    });
    // The name tells the engine when it is a catalogue id, whatever the file is called.
    const ff = await run(`--browser=firefox_nightly,${custom}`);
    assert.equal(ff.engine, 'firefox');
    assert.equal(ff.path, custom);
    assert.deepEqual(await run(`--browser=${custom}`), {
      id: 'custom', name: 'my-chrome', engine: 'chromium', path: custom,
    });
    const wolf = '/opt/lw/librewolf';
    assert.deepEqual(await run(`--browser=${wolf}`, [wolf]), {
      id: 'custom', name: 'librewolf', engine: 'firefox', path: wolf,
    });
    assert.deepEqual(await run(`--browser=Mine,${wolf}`, [wolf]), {
      id: 'custom', name: 'Mine', engine: 'firefox', path: wolf,
    });
  });

  test('GLUON_BROWSER may be a path; its engine is guessed from the file name', async () => {
    const ff = '/opt/firefox/firefox';
    assert.deepEqual(await linux([ff, ...everything], { env: { GLUON_BROWSER: ff } }).find(), {
      id: 'custom', name: 'firefox', engine: 'firefox', path: ff,
    });
    const floorp = '/opt/floorp/floorp-bin';
    assert.equal((await linux([floorp], { env: { GLUON_BROWSER: floorp } }).find()).engine, 'firefox');
    const thing = '/opt/thing/thing';
    assert.equal((await linux([thing], { env: { GLUON_BROWSER: thing } }).find()).engine, 'chromium');
  });

  test('a named browser that is missing throws instead of falling back', async () => {
    const installed = ['/usr/bin/chromium'];
    for (const more of [
      { forceBrowser: 'edge' },
      { argv: ['node', 'app.js', '--edge'] },
      { argv: ['node', 'app.js', '--browser=edge'] },
      { env: { GLUON_BROWSER: 'edge' } },
    ]) {
      const err = await rejectsNotFound(linux(installed, more).find());
      assert.match(err.message, /Edge was asked for by/);
      assert.match(err.message, /does not fall back/);
      assert.match(err.message, /on PATH: microsoft-edge, microsoft-edge-stable, microsoft-edge-beta/);
      assert.ok(err.searched.includes('/usr/bin/microsoft-edge'));
      assert.ok(err.searched.includes('/opt/microsoft/msedge/msedge'));
      assert.ok(!err.searched.includes('/usr/bin/chromium'));
    }
  });

  test('a custom path that does not exist throws', async () => {
    const err = await rejectsNotFound(linux(['/usr/bin/chromium'], { env: { GLUON_BROWSER: '/nope/chrome' } }).find());
    assert.match(err.message, /\/nope\/chrome \(from GLUON_BROWSER\) does not exist/);
    assert.deepEqual(err.searched, ['/nope/chrome']);
    await rejectsNotFound(linux(['/usr/bin/chromium'], { argv: ['--browser=chrome,/nope/chrome'] }).find());
  });

  test('an unknown name lists the known ids', async () => {
    for (const more of [{ forceBrowser: 'netscape' }, { argv: ['--browser=netscape'] }, { env: { GLUON_BROWSER: 'netscape' } }]) {
      const err = await rejectsNotFound(linux(['/usr/bin/chromium'], more).find());
      assert.match(err.message, /Unknown browser "netscape"/);
      assert.match(err.message, /chrome, chromium, edge, brave/);
      assert.match(err.message, /floorp/);
    }
  });
});

describe('findBrowser when nothing is installed', () => {
  test('Linux: lists what was searched and how to install or point at a browser', async () => {
    const { fs, find } = linux([]);
    const err = await rejectsNotFound(find());
    assert.match(err.message, /^No supported browser found/);
    assert.match(err.message, /on PATH: google-chrome, google-chrome-stable, chromium, chromium-browser, microsoft-edge/);
    assert.match(err.message, /firefox-esr/);
    assert.match(err.message, /\/opt\/google\/chrome\/chrome/);
    assert.match(err.message, /org\.chromium\.Chromium/);
    assert.match(err.message, /sudo apt-get install chromium/);
    assert.match(err.message, /sudo dnf install chromium/);
    assert.match(err.message, /GLUON_BROWSER=\/path\/to\/browser/);
    assert.match(err.message, /--browser=NAME,PATH/);
    assert.deepEqual(new Set(err.searched), new Set(fs.asked));
  });

  test('macOS and Windows give their own install hints', async () => {
    const mac = await rejectsNotFound(
      findBrowser({ platform: 'darwin', homedir: '/Users/u', env: {}, argv: [], exists: async () => false }),
    );
    assert.match(mac.message, /brew install --cask google-chrome/);
    assert.match(mac.message, /Google Chrome\.app\/Contents\/MacOS\/Google Chrome/);
    const win = await rejectsNotFound(
      findBrowser({ platform: 'win32', homedir: 'C:\\Users\\u', env: {}, argv: [], exists: async () => false }),
    );
    assert.match(win.message, /Edge is preinstalled/);
    assert.match(win.message, /winget install Google\.Chrome/);
  });
});

describe('findBrowser on macOS', () => {
  const mac = (installed: string[], more: Partial<FindBrowserOptions> = {}) =>
    findBrowser({ platform: 'darwin', homedir: '/Users/u', env: {}, argv: [], exists: fakeFs(...installed).exists, ...more });

  test('looks in /Applications and ~/Applications', async () => {
    const chromium = '/Applications/Chromium.app/Contents/MacOS/Chromium';
    assert.deepEqual(await mac([chromium]), { id: 'chromium', name: 'Chromium', engine: 'chromium', path: chromium });
    const beta = '/Users/u/Applications/Google Chrome Beta.app/Contents/MacOS/Google Chrome Beta';
    assert.deepEqual(await mac([beta]), { id: 'chrome_beta', name: 'Chrome Beta', engine: 'chromium', path: beta });
    const ff = '/Applications/Firefox.app/Contents/MacOS/firefox';
    assert.equal((await mac([ff, chromium], { forceEngine: 'firefox' })).path, ff);
    const edge = '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge';
    assert.equal((await mac([edge, chromium], { argv: ['--edge'] })).path, edge);
  });
});

describe('findBrowser on Windows', () => {
  const env = {
    ProgramFiles: 'C:\\Program Files',
    'ProgramFiles(x86)': 'C:\\Program Files (x86)',
    LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local',
  };
  const win = (installed: string[], more: Partial<FindBrowserOptions> = {}) => {
    const fs = fakeFs(...installed);
    const found = findBrowser({ platform: 'win32', homedir: 'C:\\Users\\u', env, argv: [], exists: fs.exists, ...more });
    return { fs, found };
  };

  test('joins install folders to PROGRAMFILES, PROGRAMFILES(X86) and LOCALAPPDATA', async () => {
    const perUser = 'C:\\Users\\u\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe';
    assert.deepEqual(await win([perUser]).found, { id: 'chrome', name: 'Chrome', engine: 'chromium', path: perUser });
    const edge = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe';
    assert.deepEqual(await win([edge]).found, { id: 'edge', name: 'Edge', engine: 'chromium', path: edge });
    const canary = 'C:\\Users\\u\\AppData\\Local\\Google\\Chrome SxS\\Application\\chrome.exe';
    assert.equal((await win([canary, edge], { argv: ['--chrome'] }).found).id, 'chrome_canary');
    const ff = 'C:\\Program Files\\Mozilla Firefox\\firefox.exe';
    assert.equal((await win([ff, edge], { forceEngine: 'firefox' }).found).path, ff);
  });

  test('finds scoop installs', async () => {
    const scoop = 'C:\\Users\\u\\scoop\\apps\\googlechrome\\current\\chrome.exe';
    assert.equal((await win([scoop]).found).path, scoop);
    const custom = 'D:\\scoop\\apps\\firefox\\current\\firefox.exe';
    const { found } = win([custom], { env: { ...env, SCOOP: 'D:\\scoop' } });
    assert.equal((await found).id, 'firefox');
  });

  test('skips unset variables', async () => {
    const fs = fakeFs();
    await rejectsNotFound(
      findBrowser({ platform: 'win32', homedir: 'C:\\Users\\u', env: { LOCALAPPDATA: env.LOCALAPPDATA }, argv: [], exists: fs.exists }),
    );
    assert.ok(fs.asked.length > 0);
    for (const p of fs.asked) assert.match(p, /^C:\\Users\\u\\/, p);
  });

  test('GLUON_BROWSER path with backslashes', async () => {
    const p = 'D:\\Apps\\Waterfox\\waterfox.exe';
    const { found } = win([p], { env: { ...env, GLUON_BROWSER: p } });
    assert.deepEqual(await found, { id: 'custom', name: 'waterfox', engine: 'firefox', path: p });
  });
});

describe('chromiumArgs', () => {
  const base = { startUrl: 'https://example.org/', profileDir: '/data/profile', headless: false, asRoot: false };

  test('app mode over a pipe with a private profile', () => {
    const args = chromiumArgs(base);
    for (const a of ['--remote-debugging-pipe', '--app=https://example.org/', '--user-data-dir=/data/profile',
      '--no-first-run', '--no-default-browser-check', '--disable-sync', '--password-store=basic',
      '--enable-strict-mixed-content-checking', '--autoplay-policy=no-user-gesture-required',
      '--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication']) {
      assert.ok(args.includes(a), a);
    }
    for (const a of ['--no-sandbox', '--test-type', '--headless=new', '--allow-running-insecure-content']) assert.ok(!args.includes(a), a);
    assert.ok(!args.some((a) => a.startsWith('--window-size') || a.startsWith('--user-agent')));
  });

  test('root, headless, window size', () => {
    const args = chromiumArgs({ ...base, asRoot: true, headless: true, windowSize: [800, 600] });
    for (const a of ['--no-sandbox', '--test-type', '--headless=new', '--hide-scrollbars', '--mute-audio', '--window-size=800,600']) {
      assert.ok(args.includes(a), a);
    }
  });

  test('the user agent is one argv entry, unquoted', () => {
    const ua = 'Mozilla/5.0 (X11; Linux x86_64) MyApp/1.0 "quoted"';
    const args = chromiumArgs({ ...base, userAgent: ua });
    assert.equal(args.filter((a) => a.startsWith('--user-agent=')).length, 1);
    assert.ok(args.includes(`--user-agent=${ua}`));
  });

  test('allowHTTP variants', () => {
    for (const allowHTTP of [true, 'mixed'] as const) {
      const args = chromiumArgs({ ...base, allowHTTP });
      assert.ok(args.includes('--allow-running-insecure-content'));
      assert.ok(!args.includes('--enable-strict-mixed-content-checking'));
    }
    const strict = chromiumArgs({ ...base, allowHTTP: false });
    assert.ok(strict.includes('--enable-strict-mixed-content-checking'));
    assert.ok(!strict.includes('--allow-running-insecure-content'));
  });

  test('extra args come last', () => {
    const args = chromiumArgs({ ...base, extraArgs: ['--lang=fr', '--foo'] });
    assert.deepEqual(args.slice(-2), ['--lang=fr', '--foo']);
  });
});

describe('profileDir', () => {
  const o = { appId: 'notes-1a2b3c4d', browserId: 'chromium' };

  test('per platform data folders', () => {
    assert.equal(profileDir({ ...o, platform: 'linux', env: {}, homedir: '/home/u' }),
      '/home/u/.local/share/gluon-ts/notes-1a2b3c4d/chromium');
    assert.equal(profileDir({ ...o, platform: 'linux', env: { XDG_DATA_HOME: '/data' }, homedir: '/home/u' }),
      '/data/gluon-ts/notes-1a2b3c4d/chromium');
    assert.equal(profileDir({ ...o, platform: 'linux', env: { XDG_DATA_HOME: 'relative' }, homedir: '/home/u' }),
      '/home/u/.local/share/gluon-ts/notes-1a2b3c4d/chromium');
    assert.equal(profileDir({ ...o, platform: 'darwin', env: {}, homedir: '/Users/u' }),
      '/Users/u/Library/Application Support/gluon-ts/notes-1a2b3c4d/chromium');
    assert.equal(profileDir({ ...o, platform: 'win32', env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, homedir: 'C:\\Users\\u' }),
      'C:\\Users\\u\\AppData\\Local\\gluon-ts\\notes-1a2b3c4d\\chromium');
    assert.equal(profileDir({ ...o, platform: 'win32', env: {}, homedir: 'C:\\Users\\u' }),
      'C:\\Users\\u\\AppData\\Local\\gluon-ts\\notes-1a2b3c4d\\chromium');
  });

  test('dataPath replaces the app folder', () => {
    assert.equal(profileDir({ ...o, dataPath: '/srv/notes-data', platform: 'linux', env: {}, homedir: '/home/u' }),
      '/srv/notes-data/chromium');
  });

  test('incognito gives a fresh temporary path each time', () => {
    const a = profileDir({ ...o, incognito: true });
    const b = profileDir({ ...o, incognito: true });
    assert.notEqual(a, b);
    assert.ok(a.startsWith(tmpdir()));
  });
});

describe('appIdFor', () => {
  test('stable, readable and distinct for same-named folders', () => {
    const a = appIdFor('/home/u/projects/My Notes!/app.js');
    assert.match(a, /^my-notes-[0-9a-f]{8}$/);
    assert.equal(appIdFor('/home/u/projects/My Notes!/other-entry.js'), a);
    assert.equal(appIdFor(pathToFileURL('/home/u/projects/My Notes!/app.js').href), a);
    const b = appIdFor('/home/u/elsewhere/My Notes!/app.js');
    assert.match(b, /^my-notes-[0-9a-f]{8}$/);
    assert.notEqual(a, b);
  });

  test('sanitizes to [a-z0-9-_] and at most 40 readable characters', () => {
    const id = appIdFor(`/x/${'Ünïcode Ápp '.repeat(10)}/main.js`);
    assert.match(id, /^[a-z0-9_-]+-[0-9a-f]{8}$/);
    assert.ok(id.length <= 40 + 1 + 8, id);
    assert.match(appIdFor('/x/!!!/main.js'), /^app-[0-9a-f]{8}$/);
  });

  test('accepts the app folder itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gluon-ts-test-'));
    try {
      await mkdir(join(dir, 'todo'));
      await writeFile(join(dir, 'todo', 'app.js'), '');
      assert.equal(appIdFor(join(dir, 'todo')), appIdFor(join(dir, 'todo', 'app.js')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('makeIncognitoDir', () => {
  test('creates a fresh folder and removes it with its contents', async () => {
    const a = await makeIncognitoDir();
    const b = await makeIncognitoDir();
    assert.notEqual(a.dir, b.dir);
    assert.ok((await stat(a.dir)).isDirectory());
    await mkdir(join(a.dir, 'Default'));
    await writeFile(join(a.dir, 'Default', 'Cookies'), 'x');
    await a.remove();
    await b.remove();
    await assert.rejects(stat(a.dir), { code: 'ENOENT' });
    await a.remove(); // twice is fine
  });
});

describe('Firefox profile template', () => {
  /** A profile as Firefox leaves it: the template's files plus user data. */
  async function usedProfile(dir: string): Promise<void> {
    await mkdir(join(dir, 'startupCache'), { recursive: true });
    await writeFile(join(dir, 'startupCache', 'startupCache.8.little'), 'cache');
    await writeFile(join(dir, 'addonStartup.json.lz4'), 'addons');
    await writeFile(join(dir, 'extensions.json'), '{}');
    await writeFile(join(dir, 'compatibility.ini'), '[Compatibility]');
    for (const user of ['cookies.sqlite', 'places.sqlite', 'prefs.js', 'permissions.sqlite', 'key4.db']) await writeFile(join(dir, user), 'private');
    await mkdir(join(dir, 'storage', 'default', 'https+++app.example'), { recursive: true });
    await writeFile(join(dir, 'storage', 'default', 'https+++app.example', 'ls.sqlite'), 'private');
    await writeFile(join(dir, 'storage', 'ls-archive.sqlite'), 'private');
    await mkdir(join(dir, 'storage', 'permanent', 'chrome', 'idb'), { recursive: true });
    await writeFile(join(dir, 'storage', 'permanent', 'chrome', 'idb', 'remote-settings.sqlite'), 'collections');
  }

  /** Every file under `dir`, as paths relative to it. */
  async function filesUnder(dir: string): Promise<string[]> {
    const names = await readdir(dir, { recursive: true });
    const files = await Promise.all(names.map(async (name) => ((await stat(join(dir, name))).isFile() ? name : '')));
    return files.filter(Boolean).sort();
  }
  const TEMPLATE_CONTENT = [
    'addonStartup.json.lz4', 'compatibility.ini', 'extensions.json', join('startupCache', 'startupCache.8.little'),
    join('storage', 'permanent', 'chrome', 'idb', 'remote-settings.sqlite'),
  ].sort();

  test('lives in the per-user data folder, one per install', () => {
    const a = firefoxTemplateDir(process.execPath, { XDG_DATA_HOME: '/data' });
    assert.ok(a?.startsWith(join('/data', 'gluon-ts', 'templates', 'firefox-')), a);
    assert.equal(firefoxTemplateDir(process.execPath, { XDG_DATA_HOME: '/data' }), a);
    assert.notEqual(firefoxTemplateDir('/bin/sh', { XDG_DATA_HOME: '/data' }), a);
    assert.equal(firefoxTemplateDir('/nowhere/firefox', { XDG_DATA_HOME: '/data' }), undefined);
  });

  test('keeps only the start-up caches of a used profile, once, and seeds new profiles with them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gluon-ts-test-'));
    try {
      const used = join(dir, 'used');
      const template = join(dir, 'data', 'templates', 'firefox-1');
      await usedProfile(used);
      assert.equal(isNewFirefoxProfile(used), false);
      assert.equal(isNewFirefoxProfile(join(dir, 'fresh')), true);

      assert.equal(await seedFirefoxProfile(join(dir, 'fresh'), template), false, 'no template yet');
      assert.equal(await saveFirefoxTemplate(used, template), true);
      assert.deepEqual(await filesUnder(template), TEMPLATE_CONTENT, 'the caches and the browser\'s own databases, no page storage');
      assert.equal((await readdir(join(dir, 'data', 'templates'))).length, 1, 'no staging folder left');
      assert.equal(await saveFirefoxTemplate(used, template), false, 'an existing template stays');

      const fresh = join(dir, 'fresh');
      assert.equal(await seedFirefoxProfile(fresh, template), true);
      assert.deepEqual(await filesUnder(fresh), TEMPLATE_CONTENT);
      assert.equal(await readFile(join(fresh, 'startupCache', 'startupCache.8.little'), 'utf8'), 'cache');
      assert.equal(await readFile(join(fresh, 'storage', 'permanent', 'chrome', 'idb', 'remote-settings.sqlite'), 'utf8'), 'collections');
      assert.equal(isNewFirefoxProfile(fresh), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a profile missing some of the files leaves no template', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gluon-ts-test-'));
    try {
      await usedProfile(join(dir, 'used'));
      await rm(join(dir, 'used', 'startupCache'), { recursive: true });
      assert.equal(await saveFirefoxTemplate(join(dir, 'used'), join(dir, 'template')), false);
      await assert.rejects(stat(join(dir, 'template')), { code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('firefoxPrefs', () => {
  test('devtools: false turns DevTools off; the default leaves it', () => {
    assert.equal(firefoxPrefs({ devtools: false })['devtools.policy.disabled'], true);
    assert.equal(firefoxPrefs({})['devtools.policy.disabled'], undefined);
    assert.equal(firefoxPrefs({ devtools: true })['devtools.policy.disabled'], undefined);
  });
});
