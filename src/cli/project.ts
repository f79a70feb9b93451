// What the CLI knows of an app project: its folder, backend entry, page folder, and the esbuild
// it bundles with. Conventions (each can be set in package.json's "gluon" field):
//   main: the backend entry, default the first of main.ts, main.js, src/main.ts, src/main.js
//   ui:   the page folder, default "ui"
// The built layout mirrors the source one, so open('ui') from the backend finds the page both
// when run from source and when built.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Project {
  root: string;
  name: string;
  /** Absolute path of the backend entry. */
  main: string;
  /** Absolute path of the page folder, if there is one. */
  ui?: string;
  packageJson: Record<string, any>;
}

export class CliError extends Error {
  override readonly name = 'CliError';
}

const MAIN_CANDIDATES = ['main.ts', 'main.js', 'main.mjs', 'src/main.ts', 'src/main.js', 'src/main.mjs'];

/**
 * The project in `target` or the nearest folder above it with a package.json. `target` may
 * also be the backend entry itself (gluon-ts dev examples/typed/backend.ts); its page folder
 * is then the `ui` folder beside it, if there is one.
 */
export function findProject(target: string): Project {
  const entry = existsSync(target) && statSync(target).isFile() ? resolve(target) : undefined;
  const dir = entry ? dirname(entry) : target;
  let root = resolve(dir);
  while (!existsSync(join(root, 'package.json'))) {
    const parent = dirname(root);
    if (parent === root) throw new CliError(`no package.json in ${resolve(dir)} or any folder above it: run this in your app's folder, or create one with: npx gluon-ts create my-app`);
    root = parent;
  }
  let packageJson: Record<string, any>;
  try {
    packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  } catch (error) {
    throw new CliError(`${join(root, 'package.json')} is not valid JSON: ${(error as Error).message}`);
  }
  const settings = packageJson.gluon ?? {};
  const main = entry ?? (settings.main
    ? resolve(root, settings.main)
    : MAIN_CANDIDATES.map((file) => join(root, file)).find((file) => existsSync(file)));
  if (!main || !existsSync(main)) {
    throw new CliError(settings.main
      ? `the backend entry ${settings.main} (package.json "gluon.main") does not exist`
      : `no backend entry in ${root}: looked for ${MAIN_CANDIDATES.join(', ')}. Name yours one of these, or set "gluon": { "main": "path/to/entry.ts" } in package.json`);
  }
  const besideEntry = entry && join(dirname(entry), 'ui');
  const ui = besideEntry && existsSync(besideEntry) ? besideEntry : resolve(root, settings.ui ?? 'ui');
  const hasUi = existsSync(ui) && statSync(ui).isDirectory();
  if (settings.ui && !hasUi) throw new CliError(`the page folder ${settings.ui} (package.json "gluon.ui") does not exist`);
  const name = String(packageJson.name ?? basename(root)).replace(/^@[^/]+\//, '').replace(/[^a-zA-Z0-9._-]/g, '-') || 'app';
  return { root, name, main, ui: hasUi ? ui : undefined, packageJson };
}

/** Where the backend's bundle goes under `outDir`: the entry's place in the project, as .mjs/.cjs. */
export function bundlePath(project: Project, outDir: string, extension: '.mjs' | '.cjs'): string {
  const rel = relative(project.root, project.main);
  return join(outDir, rel.slice(0, rel.length - extname(rel).length) + extension);
}

type Esbuild = typeof import('esbuild');

/** The app's esbuild (a devDependency of apps made by `create`), else the one beside this package. */
export async function loadEsbuild(project: Project): Promise<Esbuild> {
  for (const from of [join(project.root, 'package.json'), import.meta.url]) {
    let path: string;
    try {
      path = createRequire(from).resolve('esbuild');
    } catch {
      continue;
    }
    const module = await import(pathToFileURL(path).href);
    return (module.default ?? module) as Esbuild;
  }
  throw new CliError('gluon-ts bundles your app with esbuild, which is not installed in this project. Add it with: npm install --save-dev esbuild');
}

/** Page files to bundle: every .ts/.tsx/.jsx file of the page folder (not .d.ts) becomes a .js file beside it. */
export function isPageEntry(file: string): boolean {
  return /\.(tsx?|jsx)$/.test(file) && !file.endsWith('.d.ts');
}

/** Human size: 1.2 MB, 34.5 kB, 512 B. */
export function formatSize(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

/** True if `path` is `dir` or inside it. */
export const within = (path: string, dir: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * The output folder `out` (relative to the project) as an absolute path, if it is a folder of its
 * own inside the project, away from the sources; else a CliError saying why (`why`: what the
 * command does with it).
 */
export function outputFolder(project: Project, out: string, why: string): string {
  const outDir = resolve(project.root, out);
  if (outDir === project.root || !within(outDir, project.root) || within(project.main, outDir) || (project.ui && (within(project.ui, outDir) || within(outDir, project.ui)))) {
    throw new CliError(`refusing to build into ${outDir}: ${why}, so it must be a folder of its own inside the project, away from the sources (such as dist)`);
  }
  return outDir;
}
