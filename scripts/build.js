// Builds the package: tsc compiles src/ and test/ into dist/, then esbuild bundles
// the page-side bootstrap (src/page/bootstrap.ts and the IPC core it imports) into
// one self-contained script, dist/page/bootstrap.js, which the engine injects into
// every page before its own scripts run.
import { execFileSync } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const quiet = process.argv.includes('--quiet');

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });

const esbuild = await import('esbuild');
mkdirSync(join(root, 'dist/page'), { recursive: true });
await esbuild.build({
  entryPoints: [join(root, 'src/page/bootstrap.ts')],
  outfile: join(root, 'dist/page/bootstrap.js'),
  bundle: true,
  format: 'iife',
  target: ['chrome110', 'firefox115'],
  minify: true,
  legalComments: 'none',
  logLevel: quiet ? 'warning' : 'info',
});
