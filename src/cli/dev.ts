// `gluon-ts dev`: builds the app into .gluon/dev, runs it, and watches the project. A change in
// the page folder rebuilds the page and reloads every window (the backend keeps running); any
// other source change rebuilds and restarts the backend, whose exit closes its browser first.
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { DEV_ENV, RELOAD_MESSAGE } from '../dev-reload.js';
import { assetsModule, BESIDE_THE_BUNDLE, buildBackend, buildPage, describeBuildError } from './bundle.js';
import { bundlePath, findProject, loadEsbuild, outputFolder, within } from './project.js';

const IGNORED = /^(node_modules|\.gluon|dist|\.git)(\/|\\|$)|(^|[\\/])\.[^\\/]*\.swp$|~$/;
const SOURCE = /\.(m|c)?(t|j)sx?$|\.json$/;
const SETTINGS = /^(package\.json|tsconfig\.json)$/;

export interface DevOptions {
  dir: string;
  /** Arguments for the app (after `--`). */
  appArgs: string[];
  /** Where it builds, inside the project (default .gluon/dev). */
  out?: string;
}

export async function dev(options: DevOptions, log: (line: string) => void): Promise<number> {
  const project = findProject(options.dir);
  const esbuild = await loadEsbuild(project);
  // The app's node_modules must be above it: the bundle leaves packages out.
  const outDir = outputFolder(project, options.out ?? join('.gluon', 'dev'), 'the app runs from it');
  const outfile = bundlePath(project, outDir, '.mjs');
  const outUi = project.ui ? join(outDir, relative(project.root, project.ui)) : undefined;
  const shown = (path: string) => relative(project.root, path) || '.';

  /** The files the backend was built from: a change to one of them restarts it. */
  let backendInputs = new Set<string>();
  let child: ChildProcess | undefined;
  let childExit: Promise<number | null> | undefined;
  let stopping = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  const buildAll = async (): Promise<boolean> => {
    const started = Date.now();
    try {
      if (outUi) await buildPage(esbuild, project, outUi, { minify: false, sourcemap: true });
      // gluon-ts stays in node_modules, unless the app's tsconfig "paths" point at its sources:
      // then it is bundled, and needs its run-time files written in.
      const inputs = await buildBackend({ esbuild, project, outfile, format: 'esm', selfContained: false, assetsModule: assetsModule(BESIDE_THE_BUNDLE) });
      backendInputs = new Set(inputs);
    } catch (error) {
      backendInputs = new Set();
      log(`build failed:\n${describeBuildError(error)}\nFix it and save: gluon-ts dev builds again.`);
      return false;
    }
    log(`built in ${Date.now() - started} ms`);
    return true;
  };

  const start = () => {
    const spawned = spawn(process.execPath, ['--enable-source-maps', outfile, ...options.appArgs], {
      cwd: project.root,
      env: { ...process.env, [DEV_ENV]: '1' },
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    });
    child = spawned;
    log(`app started (${shown(project.main)}, pid ${spawned.pid})`);
    childExit = new Promise((resolve) => spawned.once('exit', (code, signal) => {
      if (child === spawned) child = undefined;
      resolve(code ?? (signal ? 128 : null));
      if (stopping || spawned.killed) return;
      if (code === 0) {
        log('the app quit: gluon-ts dev stops too');
        void stop(0);
      } else {
        log(`the app exited with ${signal ?? `code ${code}`}; save a file to start it again, or press Ctrl+C`);
      }
    }));
  };

  /** Ends the app the way a user would (SIGTERM: gluon-ts closes the browser), then waits. */
  const stopApp = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await childExit;
    clearTimeout(timer);
  };

  // Watched: the project folder itself (package.json, tsconfig.json), the page folder and what
  // is in it, and each folder a backend file of the last build is in. Not the whole project:
  // a recursive watch of node_modules would cost a watch per folder of every package.
  const watchers = new Map<string, FSWatcher>();
  const watchFolder = (dir: string, recursive: boolean) => {
    if (watchers.has(dir) || dir.split(sep).includes('node_modules')) return;
    try {
      const watcher = watch(dir, { recursive }, (_event, file) => {
        if (file) onChange(relative(project.root, join(dir, String(file))));
      });
      watcher.on('error', (error) => log(`stopped watching ${shown(dir)}: ${error.message}`));
      watchers.set(dir, watcher);
    } catch (error) {
      log(`cannot watch ${shown(dir)}: ${(error as Error).message}`);
    }
  };
  const updateWatches = () => {
    watchFolder(project.root, false);
    if (project.ui) watchFolder(project.ui, true);
    watchFolder(dirname(project.main), false);
    for (const file of backendInputs) watchFolder(dirname(file), false);
  };
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const watcher of watchers.values()) watcher.close();
    await stopApp();
    resolveDone(code);
  };

  // Changes come in bursts (an editor writes a file in several steps): act once per burst.
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<void> = Promise.resolve();
  const onChange = (file: string) => {
    if (stopping || IGNORED.test(file) || within(join(project.root, file), outDir)) return;
    pending.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...pending];
      pending = new Set();
      busy = busy.then(() => react(files));
    }, 120);
  };
  const uiRel = project.ui ? relative(project.root, project.ui) + sep : undefined;
  const react = async (files: string[]) => {
    if (stopping) return;
    // Only what the app is built from counts: the page folder, the backend's own files (as the
    // last build used them), and the project's settings. Files the app writes, such as a browser
    // profile inside the project, change nothing.
    const inPage = (file: string) => uiRel !== undefined && file.startsWith(uiRel);
    const inBackend = (file: string) => backendInputs.has(join(project.root, file)) || SETTINGS.test(file) ||
      (backendInputs.size === 0 && SOURCE.test(file)); // the last build failed: any source may be the fix
    files = files.filter((file) => inPage(file) || inBackend(file));
    if (files.length === 0) return;
    const pageOnly = files.every((file) => inPage(file) && !inBackend(file)); // a page file the backend imports restarts it
    if (pageOnly) {
      try {
        await buildPage(esbuild, project, outUi!, { minify: false, sourcemap: true });
      } catch (error) {
        log(`page build failed:\n${describeBuildError(error)}`);
        return;
      }
      if (child?.connected) {
        child.send(RELOAD_MESSAGE);
        log(`page changed (${files.join(', ')}): reloaded`);
      } else {
        log(`page changed (${files.join(', ')}): rebuilt; the app is not running`);
      }
      return;
    }
    log(`changed: ${files.join(', ')}: restarting the app`);
    await stopApp();
    if (stopping) return;
    if (await buildAll()) start();
    updateWatches();
  };

  const onSignal = () => void stop(0);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  updateWatches();
  log(`gluon-ts dev: ${project.name} in ${project.root} (Ctrl+C stops)`);
  if (await buildAll()) start();
  else log('waiting for a fix...');
  updateWatches();

  const code = await done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return code;
}

