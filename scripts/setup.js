// Gets a checkout ready to run the demo or the tests, on a fresh machine too:
//   1. installs the npm dependencies if they are missing (npm ci with a lock file),
//   2. builds the package (tsc + the page bundle, ~3 s),
//   3. makes sure a Chromium-family browser is installed. If none is, and this is
//      Debian/Ubuntu with apt-get and we are root (or have passwordless sudo), it
//      installs Debian's `chromium`; otherwise it says how to install one and stops.
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
if (!existsSync(join(root, 'node_modules', 'typescript')) || !existsSync(join(root, 'node_modules', 'devalue'))) {
  run(npm, [existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install', '--no-audit', '--no-fund'], 'installing npm dependencies');
}

// 2. build
run(process.execPath, [join(root, 'scripts', 'build.js'), '--quiet'], 'building');

// 3. a browser
const { findBrowser } = await import(pathToFileURL(join(root, 'dist', 'src', 'browser', 'find.js')).href);
const findChromium = () => findBrowser({ forceEngine: 'chromium', argv: [] }).catch((error) => error);

let found = await findChromium();
if (found instanceof Error) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = process.platform === 'linux' && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  const sudoOk = !isRoot && hasApt && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (hasApt && (isRoot || sudoOk)) {
    const prefix = isRoot ? [] : ['sudo', '-n'];
    const apt = (args) => {
      const [command, ...rest] = [...prefix, 'apt-get', ...args];
      run(command, rest, 'installing a browser');
    };
    console.log('[setup] No Chromium-family browser found; installing Debian\'s chromium with apt-get (one time).');
    process.env.DEBIAN_FRONTEND = 'noninteractive';
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', 'chromium']);
    found = await findChromium();
  }
  if (found instanceof Error) {
    console.error(`[setup] ${found.message}`);
    process.exit(1);
  }
}
say(`browser: ${found.name} at ${found.path}`);
try {
  say(`version: ${execFileSync(found.path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()}`);
} catch {
  // some browsers print nothing for --version; not a reason to stop
}
