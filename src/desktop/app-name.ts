// The app's name for desktop services (the single-instance lock): the `name` in the app's
// package.json, the nearest one above the entry file the runtime started (process.argv[1]).
import { readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

/**
 * The `name` of the nearest package.json at or above the folder of `entry` (a file path), or,
 * when there is none with a string name, the entry file's name without its extension
 * ('app' when there is no entry, as in a REPL).
 */
export function appNameFor(entry: string | undefined): string {
  if (!entry) return 'app';
  let path = resolve(entry);
  try {
    path = realpathSync(path);
  } catch {
    // not on disk (an eval'd script): its folder is still the best guess
  }
  for (let folder = dirname(path); ; folder = dirname(folder)) {
    const name = packageName(join(folder, 'package.json'));
    if (name) return name;
    if (dirname(folder) === folder) break;
  }
  return basename(path, extname(path)) || 'app';
}

function packageName(file: string): string | undefined {
  try {
    const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' && name.trim() ? name.trim() : undefined;
  } catch {
    return undefined; // none here, or not JSON: look further up
  }
}
