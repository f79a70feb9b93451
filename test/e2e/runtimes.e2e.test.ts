// The same apps, unchanged, run by Node, Bun and Deno (`node app.mjs`, `bun app.mjs`,
// `deno run -A app.mjs`; Bun and Deno are devDependencies, their binaries in node_modules/.bin).
// Each run is watched: every process whose environment holds this run's GLUON_TEST_MARK (the
// runtime, the browser, and the helpers that inherit its environment), across the machine. A
// run passes only if a browser was seen, and nothing of it is left once the runtime has exited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { ENGINE, fixture, killStillRunning, MARK_VARIABLE, newMark, repoRoot, runNode, waitForNoneMarked, watchRun, type RunWatch } from './helpers.js';

const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);
const RUNTIMES = {
  node: [process.execPath],
  bun: [bin('bun')],
  deno: [bin('deno'), 'run', '-A'],
} as const;
type Runtime = keyof typeof RUNTIMES;

const CHROMIUM_ONLY = ENGINE !== 'chromium' && 'Bun and Deno run on Chromium in this pass (README: Runtimes); this test runs in the Chromium pass';

interface Watched {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** The pids of the run's processes seen while it ran (those carrying its mark). */
  seen: Set<number>;
}

/**
 * Runs `file` with `runtime` in `cwd` (headless, with a fresh GLUON_TEST_MARK), then checks that
 * a browser was seen and that no process of the run is left 2 s after the runtime exited.
 */
async function runWatched(
  runtime: Runtime,
  file: string,
  o: { args?: string[]; env?: NodeJS.ProcessEnv; stdin?: boolean; onStdout?: NonNullable<Parameters<typeof runNode>[2]>['onStdout'] } = {},
): Promise<Watched> {
  const mark = newMark();
  let watch: RunWatch | undefined;
  let run;
  try {
    run = await runNode(file, o.args ?? [], {
      runtime: [...RUNTIMES[runtime]],
      cwd: dirname(file),
      env: { ...process.env, GLUON_HEADLESS: '1', NO_COLOR: '1', [MARK_VARIABLE]: mark, ...o.env },
      stdin: o.stdin,
      timeout: 60_000,
      onSpawn: (child) => {
        watch = watchRun(mark, child.pid!);
      },
      onStdout: (all, pid, child) => {
        watch?.look();
        o.onStdout?.(all, pid, child);
      },
    });
  } finally {
    watch?.stop();
  }
  const { left } = await waitForNoneMarked(mark, 2000);
  killStillRunning(left);
  const seen = new Set([...(watch?.seen.values() ?? [])].map((proc) => proc.pid));
  assert.ok((watch?.browser().length ?? 0) > 0, `${runtime}: no browser process was ever seen, so "none left" would prove nothing\n${run.stderr}`);
  assert.deepEqual(left.map((proc) => `${proc.pid} ${proc.name}`), [], `${runtime}: processes left after the app exited (of ${seen.size} seen)`);
  return { ...run, seen };
}

/** The last line of output, parsed. */
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '');

/** The browser pid an app printed as `<word> <pid>` (its line `BROWSER 123` or `READY 123 ...`). */
const printedPid = (stdout: string, word: string) => Number(new RegExp(`^${word} (\\d+)`, 'm').exec(stdout)?.[1]);

for (const runtime of Object.keys(RUNTIMES) as Runtime[]) {
  test(`${runtime}: its binary runs`, { skip: CHROMIUM_ONLY }, () => {
    const [command] = RUNTIMES[runtime];
    const run = spawnSync(command, ['--version'], { encoding: 'utf8' });
    assert.equal(run.status, 0, `${command} --version failed (${run.error ?? run.stderr}): run npm ci; the bun and deno packages' postinstall scripts (allowed in package.json's allowScripts) put their binaries there`);
    console.log(`# ${runtime} ${run.stdout.split('\n')[0]}`);
  });

  test(`${runtime}: the seed's two IPC samples (expose, events)`, { skip: CHROMIUM_ONLY }, async () => {
    for (const sample of ['expose', 'events']) {
      const run = await runWatched(runtime, fixture('seed', `${sample}.mjs`));
      assert.equal(run.code, 0, `${sample} exited with ${run.code}\n${run.stderr}`);
      assert.deepEqual(lastJson(run.stdout), { result: { theme: 'dark', source: 'config.json' } }, sample);
    }
  });

  test(`${runtime}: a page folder found from the app's own file, values both ways, a stream, the data channel, close`, { skip: CHROMIUM_ONLY }, async () => {
    const run = await runWatched(runtime, fixture('runtimes', 'app.mjs'), { env: { GLUON_DEBUG: 'ipc' } });
    assert.equal(run.code, 0, `exited with ${run.code}\n${run.stderr}`);
    const report = lastJson(run.stdout);
    console.log(`# ${report.runtime}`);
    assert.match(report.runtime, new RegExp(`^${runtime} \\d`));
    assert.deepEqual(report.page, { title: 'runtimes fixture', taken: 'taken', given: [], streamed: [1, 2, 3, 4, 5], served: { served: 'from the app folder' } });
    assert.deepEqual(report.wrongInBackend, []);
    assert.equal(report.engine, ENGINE);
    assert.match(run.stderr, /frames now leave on the data channel/, 'IPC moved to the loopback WebSocket (the ws package)');
    assert.ok(run.seen.has(printedPid(run.stdout, 'BROWSER')), 'the browser the app reported was among the processes watched');
  });

  test(`${runtime}: Ctrl+C (SIGINT) ends the app and its browser`, { skip: CHROMIUM_ONLY }, async () => {
    let sent = false;
    const run = await runWatched(runtime, fixture('lifecycle.mjs'), {
      args: ['wait'],
      onStdout: (all, _pid, child) => {
        if (sent || !/^READY /m.test(all)) return;
        sent = true;
        child.kill('SIGINT');
      },
    });
    assert.ok(run.signal === 'SIGINT' || run.code === 130, `ended with ${run.signal ?? run.code}\n${run.stderr}`);
    assert.ok(run.seen.has(printedPid(run.stdout, 'READY')), 'the browser the app reported was among the processes watched');
  });

  // Deno runs no 'exit' listeners when an uncaught error ends it: without the hook for that in
  // src/browser/process.ts, Firefox (no pipe that closes) was left running, 11 processes.
  test(`${runtime}: an uncaught error ends the app and its browser (${ENGINE})`, async () => {
    let sent = false;
    const run = await runWatched(runtime, fixture('lifecycle.mjs'), {
      args: ['uncaught'],
      stdin: true,
      onStdout: (all, _pid, child) => {
        if (sent || !/^READY /m.test(all)) return;
        sent = true;
        child.stdin!.write('go\n');
      },
    });
    assert.equal(run.code, 1, `exited with ${run.signal ?? run.code}\n${run.stderr}`);
    assert.match(run.stderr, /boom: an uncaught exception/);
    assert.ok(run.seen.has(printedPid(run.stdout, 'READY')), 'the browser the app reported was among the processes watched');
  });

  test(`${runtime}: an uncaught error the app handles (process.on('uncaughtException')) leaves the window open`, { skip: CHROMIUM_ONLY }, async () => {
    const run = await runWatched(runtime, fixture('runtimes', 'handled.mjs'));
    assert.equal(run.code, 0, `exited with ${run.signal ?? run.code}\n${run.stderr}`);
    assert.deepEqual(lastJson(run.stdout), { message: 'handled by the app', stillThere: 'pong' });
  });
}
