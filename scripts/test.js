// npm test, after scripts/setup.js: the unit tests and the end-to-end tests on Chromium, then
// the end-to-end tests again on a Firefox-family browser (GLUON_TEST_ENGINE=firefox; see
// test/e2e/helpers.ts). Without Firefox the second pass is skipped with a warning, except in CI
// (CI=true), where it must run. Exits non-zero if any pass failed.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv[2]; // 'chromium' or 'firefox': one pass only

function pass(title, dir, env) {
  console.log(`\n# ${title}`);
  const started = Date.now();
  const { status } = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=600000', dir], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  console.log(`# ${title}: ${status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
  return status === 0;
}

const results = [];
if (only !== 'firefox') results.push(pass('unit tests, and end-to-end tests on Chromium', 'dist/test/', { GLUON_TEST_ENGINE: 'chromium' }));
if (only !== 'chromium') {
  const { findBrowser } = await import(pathToFileURL(join(root, 'dist', 'src', 'browser', 'find.js')).href);
  const firefox = await findBrowser({ forceEngine: 'firefox', argv: [], env: { ...process.env, GLUON_BROWSER: '' } }).catch((error) => error);
  if (firefox instanceof Error) {
    const why = firefox.message.split('\n')[0];
    if (process.env.CI) {
      console.error(`\n# end-to-end tests on Firefox: cannot run in CI: ${why}`);
      results.push(false);
    } else {
      console.warn(`\n# end-to-end tests on Firefox: SKIPPED: ${why} (install firefox-esr, or Firefox, to run them)`);
    }
  } else {
    results.push(pass(`end-to-end tests on ${firefox.name}`, 'dist/test/e2e/', { GLUON_TEST_ENGINE: 'firefox', GLUON_BROWSER: firefox.path }));
  }
}
process.exit(results.every(Boolean) ? 0 : 1);
