// Takes the README screenshot, docs/demo.png: runs the Notes demo headless at a fixed
// window size on a fresh data folder (so it shows the example notes plus the one its
// tour writes through the editor), and keeps the screenshot the tour takes of the real UI.
//
//   node scripts/screenshot.js        (npm run screenshot)
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = join(root, 'examples', 'notes', 'app.js');
const output = join(root, 'docs', 'demo.png');
const WINDOW_SIZE = '1000x680';

const data = await mkdtemp(join(tmpdir(), 'gluon-ts-screenshot-'));
let code;
try {
  code = await new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [app, '--headless', '--data', data, '--screenshot', output, '--size', WINDOW_SIZE],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
} finally {
  await rm(data, { recursive: true, force: true });
}

if (code !== 0) {
  console.error(`\nThe demo exited with code ${code}: no screenshot was written.`);
  process.exit(code);
}
const { size } = await stat(output);
/** The path relative to where we were started, unless that climbs out of it. */
const shown = (path) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};
console.log(`\nWrote ${shown(output)} (${size} bytes, window ${WINDOW_SIZE}).`);
