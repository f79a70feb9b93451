// `gluon-ts dev`: builds the app into .gluon/dev, runs it, and watches the project. A change in
// the page folder rebuilds the page and reloads every window (the backend keeps running); any
// other source change rebuilds and restarts the backend, whose exit closes its browser first.
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { buildBackend, buildPage, describeBuildError } from './bundle.js';
import { bundlePath, findProject, loadEsbuild, type Project } from './project.js';

const IGNORED = /^(node_modules|\.gluon|dist|\.git)(\/|\\|$)|(^|[\\/])\.[^\\/]*\.swp$|~$/;
const SOURCE = /\.(m|c)?(t|j)sx?$|\.json$/;

export interface DevOptions {
  dir: string;
  /** Arguments for the app (after `--`). */
  appArgs: string[];
}

export async function dev(options: DevOptions, log: (line: string) => void): Promise<number> {
  const project = findProject(options.dir);
  const esbuild = await loadEsbuild(project);
  const outDir = join(project.root, '.gluon', 'dev');
  const outfile = bundlePath(project, outDir, '.mjs');
  const outUi = project.ui ? join(outDir, relative(project.root, project.ui)) : undefined;
  const shown = (path: string) => relative(project.root, path) || '.';

  let child: ChildProcess | undefined;
  let childExit: Promise<number | null> | undefined;
  let stopping = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  const buildAll = async (): Promise<boolean> => {
    const started = Date.now();
    try {
      if (outUi) await buildPage(esbuild, project, outUi, { minify: false, sourcemap: true });
      await buildBackend({ esbuild, project, outfile, format: 'esm', selfContained: false });
    } catch (error) {
      log(`build failed:\n${describeBuildError(error)}\nFix it and save: gluon-ts dev builds again.`);
      return false;
    }
    log(`built in ${Date.now() - started} ms`);
    return true;
  };

  const start = () => {
    const spawned = spawn(process.execPath, ['--enable-source-maps', outfile, ...options.appArgs], {
      cwd: project.root,
      env: { ...process.env, GLUON_DEV: '1' },
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

  let watcher: FSWatcher | undefined;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    watcher?.close();
    await stopApp();
    resolveDone(code);
  };

  // Changes come in bursts (an editor writes a file in several steps): act once per burst.
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<void> = Promise.resolve();
  const onChange = (file: string) => {
    if (stopping || IGNORED.test(file)) return;
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
    const pageOnly = uiRel !== undefined && files.every((file) => file.startsWith(uiRel));
    if (!pageOnly && !files.some((file) => SOURCE.test(file))) return;
    if (pageOnly) {
      try {
        await buildPage(esbuild, project, outUi!, { minify: false, sourcemap: true });
      } catch (error) {
        log(`page build failed:\n${describeBuildError(error)}`);
        return;
      }
      if (child?.connected) {
        child.send({ gluonDev: 'reload' });
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
  };

  const onSignal = () => void stop(0);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  watcher = watch(project.root, { recursive: true }, (_event, file) => {
    if (file) onChange(String(file));
  });
  watcher.on('error', (error) => log(`watching stopped: ${error.message}`));
  log(`gluon-ts dev: ${project.name} in ${project.root} (Ctrl+C stops)`);
  if (await buildAll()) start();
  else log('waiting for a fix...');

  const code = await done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return code;
}

export type { Project };
