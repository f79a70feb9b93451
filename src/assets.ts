// A seam between the library and `gluon-ts build`/`dev`: the files of this package that the
// window code reads while it runs, and where the app's relative paths start. A bundle that takes
// gluon-ts in swaps this module, by its identity (src/cli/bundle.ts's OWN_ASSETS), for one with
// the files' contents written in (assetsModule there), so a built app needs nothing of the
// package on disk. Keep the exports of both in step. It sits at src/, not in window/, so the CLI
// reaches it without reaching into the window layer (scripts/check-layers.js).
import { readFileSync } from 'node:fs';

/** The page-side script (IPC core and bootstrap), built by scripts/build.js. */
export function bootstrapSource(): string {
  return readFileSync(new URL('../page/bootstrap.js', import.meta.url), 'utf8');
}

/** This package's version. */
export function packageVersion(): string {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
}

/**
 * Where open('ui') starts from in a built app (the bundle's folder, or where a single
 * executable unpacked its files); undefined here: the calling module's folder is used.
 */
export const appDirectory: string | undefined = undefined;

/** The app's name, as `gluon-ts build` writes it into a bundle (its package.json's); undefined here. */
export const appName: string | undefined = undefined;

/**
 * The schemes and file types the app registers (its package.json's `gluon.protocols` and
 * `gluon.fileTypes`), as `gluon-ts build` writes them into a bundle; undefined here.
 */
export const appRegistrations: { protocols?: unknown; fileTypes?: unknown } | undefined = undefined;
