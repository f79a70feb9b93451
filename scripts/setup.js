// Gets a checkout ready to run the demo or the tests, on a fresh machine too:
//   1. installs the npm dependencies if they are missing (npm ci with a lock file),
//   2. builds the package (tsc + the page bundle, ~3 s),
//   3. makes sure a Chromium-family browser is installed. If none is, and this is
//      Debian/Ubuntu with apt-get and we are root (or have passwordless sudo), it
//      installs Debian's `chromium`; otherwise it says how to install one and stops.
//   4. with --with-firefox (npm test): the same for a Firefox-family browser (Debian's
//      `firefox-esr`), except that a machine where that cannot be done only gets a warning:
//      the tests then skip their Firefox pass (and fail in CI, where it must run).
// Uses only Node's standard library, so it can run before `npm install`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const say = (line) => { if (!quiet) console.log(`[setup] ${line}`); };
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args, what) {
  say(`${what}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error(`[setup] ${what} failed (exit code ${result.status}). See the output above.`);
    process.exit(result.status || 1);
  }
}

// 1. dependencies
// (bun and deno: the runtimes the end-to-end tests also run apps with; their binaries come with them)
if (['typescript', 'devalue', 'bun', 'deno'].some((name) => !existsSync(join(root, 'node_modules', name)))) {
  run(npm, [existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install', '--no-audit', '--no-fund'], 'installing npm dependencies');
}

// 2. build
run(process.execPath, [join(root, 'scripts', 'build.js'), '--quiet'], 'building');

// 3. a browser
const { findBrowser } = await import(pathToFileURL(join(root, 'dist', 'src', 'browser', 'find.js')).href);
const findEngine = (engine) => findBrowser({ forceEngine: engine, argv: [] }).catch((error) => error);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = process.platform === 'linux' && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
const sudoOk = !isRoot && hasApt && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
let aptUpdated = false;
/** Installs a Debian package with apt-get; returns false (having said why) if it cannot. */
function aptInstall(pkg, mustWork) {
  if (!hasApt || !(isRoot || sudoOk)) return false;
  const prefix = isRoot ? [] : ['sudo', '-n'];
  const apt = (args) => {
    const [command, ...rest] = [...prefix, 'apt-get', ...args];
    if (mustWork) return run(command, rest, `installing ${pkg}`);
    return spawnSync(command, rest, { stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' }).status === 0;
  };
  process.env.DEBIAN_FRONTEND = 'noninteractive';
  if (!aptUpdated) {
    apt(['update', '-qq']);
    aptUpdated = true;
  }
  return apt(['install', '-y', '-qq', pkg]) !== false;
}

let found = await findEngine('chromium');
if (found instanceof Error) {
  console.log('[setup] No Chromium-family browser found; installing Debian\'s chromium with apt-get (one time).');
  if (aptInstall('chromium', true)) found = await findEngine('chromium');
  if (found instanceof Error) {
    console.error(`[setup] ${found.message}`);
    process.exit(1);
  }
}
if (process.argv.includes('--with-firefox')) {
  let firefox = await findEngine('firefox');
  if (firefox instanceof Error) {
    console.log('[setup] No Firefox-family browser found; trying Debian\'s firefox-esr with apt-get (one time).');
    if (aptInstall('firefox-esr', false)) firefox = await findEngine('firefox');
  }
  if (firefox instanceof Error) console.warn(`[setup] The Firefox end-to-end tests will be skipped: ${firefox.message.split('\n')[0]}`);
  else say(`Firefox-family browser for the tests: ${firefox.name} at ${firefox.path}`);
}
say(`browser: ${found.name} at ${found.path}`);
try {
  say(`version: ${execFileSync(found.path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()}`);
} catch {
  // some browsers print nothing for --version; not a reason to stop
}
