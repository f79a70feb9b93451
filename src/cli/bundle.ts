// The two bundling steps `dev` and `build` share: the page folder (copied, with its TypeScript
// entries bundled to .js) and the backend (one file).
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { bootstrapSource, packageVersion } from '../assets.js';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPageEntry, loadEsbuild, type Project } from './project.js';

type Esbuild = Awaited<ReturnType<typeof loadEsbuild>>;

/**
 * The seam module src/assets.ts (this package's run-time files), which a bundle that takes
 * gluon-ts in replaces: the compiled one, and in a checkout its source too (an app whose
 * tsconfig "paths" point at it). Known by identity (real path), never by a path into window/.
 */
const OWN_ASSETS = [new URL('../assets.js', import.meta.url), new URL('../../../src/assets.ts', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .filter((path) => existsSync(path))
  .map((path) => realpathSync(path));

/** gluon-ts's run-time files for a self-contained bundle: written in, and where open('ui') starts. */
export function assetsModule(appDirectory: string, appName?: string, registrations?: { protocols?: unknown; fileTypes?: unknown }): string {
  return [
    `export const appRegistrations = ${registrations === undefined ? 'undefined' : JSON.stringify(registrations)};`,
    `const bootstrap = ${JSON.stringify(bootstrapSource())};`,
    `export function bootstrapSource() { return bootstrap; }`,
    `export function packageVersion() { return ${JSON.stringify(packageVersion())}; }`,
    `export const appName = ${appName === undefined ? 'undefined' : JSON.stringify(appName)};`,
    appDirectory,
  ].join('\n');
}

/** An ESM bundle: open('ui') starts at the bundle's own folder. */
export const BESIDE_THE_BUNDLE = [
  `import { dirname as __gluonDirname } from 'node:path';`,
  `import { fileURLToPath as __gluonFileURLToPath } from 'node:url';`,
  `export const appDirectory = __gluonDirname(__gluonFileURLToPath(import.meta.url));`,
].join('\n');



function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile() || statSync(path).isFile()) out.push(path);
  }
  return out;
}

/**
 * Writes the page folder to `outUi`: every file copied as is, except .ts/.tsx/.jsx entries,
 * each bundled (with what it imports) into a .js file of the same name. Returns the files written.
 */
export async function buildPage(esbuild: Esbuild, project: Project, outUi: string, mode: { minify: boolean; sourcemap: boolean }): Promise<string[]> {
  if (!project.ui) return [];
  rmSync(outUi, { recursive: true, force: true });
  mkdirSync(outUi, { recursive: true });
  const files = filesUnder(project.ui);
  const entries = files.filter(isPageEntry);
  const written: string[] = [];
  for (const file of files) {
    if (entries.includes(file) || file.endsWith('.d.ts')) continue;
    const to = join(outUi, relative(project.ui, file));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(file, to);
    written.push(to);
  }
  if (entries.length) {
    const result = await esbuild.build({
      entryPoints: entries,
      outdir: outUi,
      outbase: project.ui,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['chrome110', 'firefox115'],
      sourcemap: mode.sourcemap ? 'inline' : false,
      minify: mode.minify,
      logLevel: 'silent',
      write: true,
      metafile: true,
    });
    written.push(...Object.keys(result.metafile!.outputs).map((file) => resolve(file)));
  }
  return written;
}

export interface BackendBundle {
  esbuild: Esbuild;
  project: Project;
  outfile: string;
  format: 'esm' | 'cjs';
  /** Bundle the app's packages too (gluon-ts included): one self-contained file. */
  selfContained: boolean;
  minify?: boolean;
  /** Replaces gluon-ts's seam module src/assets.ts when the bundle takes gluon-ts in (see assetsModule). */
  assetsModule?: string;
}

/** Bundles the backend; returns the absolute paths of the files it was made of (packages left out excepted). */
export async function buildBackend(options: BackendBundle): Promise<string[]> {
  const { esbuild, project, outfile, format, selfContained, assetsModule } = options;
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await esbuild.build({
    entryPoints: [project.main],
    metafile: true,
    outfile,
    bundle: true,
    format,
    platform: 'node',
    target: 'node20',
    packages: selfContained ? undefined : 'external',
    // ws loads these native speed-ups only if they are installed; a self-contained bundle goes without.
    // dbus-next asks for usocket (abstract sockets) only if installed. x11 is bundled: the dialogs
    // read the app window's X11 id with it (src/desktop/x11-window.ts).
    external: ['bufferutil', 'utf-8-validate', 'usocket'],
    define: selfContained ? { 'process.env.WS_NO_BUFFER_UTIL': '"1"', 'process.env.WS_NO_UTF_8_VALIDATE': '"1"' } : undefined,
    sourcemap: selfContained ? false : 'inline',
    minify: options.minify ?? false,
    logLevel: 'silent',
    // An ESM bundle of CommonJS packages needs a require of its own.
    banner: format === 'esm' && selfContained
      ? { js: "import { createRequire as __gluonCreateRequire } from 'node:module'; const require = __gluonCreateRequire(import.meta.url);" }
      : undefined,
    plugins: assetsModule ? [{
      name: 'gluon-assets',
      setup(build) {
        build.onLoad({ filter: /[\\/]assets\.[jt]s$/ }, (args) => {
          if (!OWN_ASSETS.includes(realpathSync(args.path))) return undefined;
          return { contents: assetsModule, loader: 'js', resolveDir: dirname(args.path) };
        });
      },
    }] : [],
  });
  return Object.keys(result.metafile!.inputs).filter((file) => !file.includes(':')).map((file) => resolve(file));
}

/** esbuild's errors as readable lines. */
export function describeBuildError(error: unknown): string {
  const errors = (error as { errors?: { text: string; location?: { file: string; line: number; column: number; lineText: string } }[] })?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return String((error as Error)?.message ?? error);
  return errors.slice(0, 10).map((e) => e.location
    ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}\n    ${e.location.lineText}`
    : e.text).join('\n');
}
