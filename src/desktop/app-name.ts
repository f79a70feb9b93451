// The app's name for desktop services and windows: the name `gluon-ts build` wrote into the
// bundle, else the `name` in the app's package.json (the nearest one above the entry file the
// runtime started, process.argv[1]). open()'s identity (window/identity.ts) reads package.json
// with appPackageAbove too, so a window and the single-instance lock name the app alike.
import { readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { appName as builtAppName } from '../assets.js';

/** The app's package.json as read here: its name, its folder, and its `gluon.icon` if any. */
export interface AppPackage {
  name: string;
  folder: string;
  /** `"gluon": { "icon": "path/to/icon.png" }`, relative to the package.json's folder. */
  icon?: string;
}

/**
 * The nearest package.json at or above `dir` that has a `name` (one without, as in a subfolder
 * that only sets `"type"`, is passed over); undefined if there is none.
 */
export function appPackageAbove(dir: string, read: (path: string) => string = (path) => readFileSync(path, 'utf8')): AppPackage | undefined {
  for (let folder = resolve(dir); ; folder = dirname(folder)) {
    let json: { name?: unknown; gluon?: { icon?: unknown } } | undefined;
    try {
      json = JSON.parse(read(join(folder, 'package.json')));
    } catch {
      // none here, or not JSON: not the app's
    }
    if (json && typeof json.name === 'string' && json.name.trim()) {
      const icon = json.gluon?.icon;
      return { name: json.name.trim(), folder, icon: typeof icon === 'string' && icon ? icon : undefined };
    }
    if (dirname(folder) === folder) return undefined;
  }
}

/**
 * The app's name: the one a `gluon-ts build` bundle carries, else the `name` of the nearest
 * package.json at or above the folder of `entry` (a file path), else the entry file's name
 * without its extension ('app' when there is no entry, as in a REPL).
 */
export function appNameFor(entry: string | undefined): string {
  if (builtAppName) return builtAppName;
  if (!entry) return 'app';
  let path = resolve(entry);
  try {
    path = realpathSync(path);
  } catch {
    // not on disk (an eval'd script): its folder is still the best guess
  }
  return appPackageAbove(dirname(path))?.name ?? (basename(path, extname(path)) || 'app');
}
