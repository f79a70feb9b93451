// Turns the runners' results into the stdout table and the text of BENCHMARKS.md:
// the metrics, the columns (gluon-ts, Gluon 0.14, the raw CDP floor, gluon-ts on CDP only,
// gluon-ts on Firefox, and on Firefox's BiDi only), the ratios gluon-ts / Gluon and Firefox / Chromium, and the issues'
// targets with pass or miss.

/** The rows, in order: key (as the runners emit it), label, unit. */
export const METRICS = [
  { key: 'open', label: 'open() to first reply in the page (median of 3 launches)', unit: 'ms' },
  { key: 'openFirst', label: 'open() to first reply, first launch on a new machine (1 launch)', unit: 'ms' },
  { key: 'launch', label: 'browser start to a first script in an empty page, no app, no IPC (median of 3)', unit: 'ms' },
  { key: 'seqMedian', label: 'sequential call round trip, median of 2000 calls', unit: 'ms' },
  { key: 'seqP99', label: 'sequential call round trip, p99 of 2000 calls', unit: 'ms' },
  { key: 'seqMean', label: 'sequential call round trip, mean of 2000 calls', unit: 'ms' },
  { key: 'concurrent', label: '1000 concurrent calls, total', unit: 'ms' },
  { key: 'echo1', label: '1 MB string echo page -> backend -> page', unit: 'ms' },
  { key: 'echo10', label: '10 MB string echo', unit: 'ms' },
  { key: 'sendMedian', label: 'backend -> page send round trip, median of 1000', unit: 'ms' },
  { key: 'sendConcurrent', label: 'backend -> page 1000 concurrent sends, total', unit: 'ms' },
  { key: 'rss', label: 'backend RSS after the run (after a full GC)', unit: 'MB' },
];

/** The metrics of the IPC runs: each is the median of the rounds (see scripts/bench.js). */
export const IPC_METRICS = METRICS.map(({ key }) => key).filter((key) => !['open', 'openFirst', 'launch'].includes(key));

/**
 * `browser`: which browser the column drives. `open: false`: the column takes no part in the
 * open() rounds (its open() is another column's).
 */
export const COLUMNS = [
  { id: 'ours', title: 'gluon-ts', browser: 'chromium' },
  { id: 'gluon', title: 'Gluon 0.14', browser: 'chromium' },
  { id: 'raw', title: 'raw CDP floor', browser: 'chromium' },
  { id: 'ours-cdp', title: 'gluon-ts, CDP only', browser: 'chromium', open: false },
  { id: 'ours-firefox', title: 'gluon-ts on Firefox', browser: 'firefox' },
  { id: 'ours-bidi', title: 'gluon-ts on Firefox, BiDi only', browser: 'firefox', open: false },
];

/** Ratio columns: column `of` divided by column `to`. */
const RATIOS = [
  { title: 'gluon-ts / Gluon', of: 'ours', to: 'gluon' },
  { title: 'Firefox / Chromium', of: 'ours-firefox', to: 'ours' },
  { title: 'same, protocol only', of: 'ours-bidi', to: 'ours-cdp' },
];

/** The IPC figures the Firefox target covers (page-timed medians are left out: Firefox rounds its page timer to 1 ms). */
const FIREFOX_IPC = [
  ['seqMean', 'sequential round trip mean'],
  ['concurrent', '1000 concurrent calls'],
  ['echo1', '1 MB echo'],
  ['echo10', '10 MB echo'],
  ['sendMedian', 'backend -> page send median'],
  ['sendConcurrent', 'backend -> page 1000 concurrent sends'],
];

/**
 * The issues' targets. Ratio targets: column `of` at most `factor` times column `to` (issue B:
 * gluon-ts against Gluon 0.14 on Chromium; issue C: gluon-ts on Firefox against gluon-ts on
 * Chromium). Absolute targets: column `of` at most `max` ms.
 */
export const TARGETS = [
  { key: 'seqMedian', label: 'sequential round trip median', of: 'ours', to: 'gluon', factor: 0.8 },
  { key: 'concurrent', label: '1000 concurrent calls', of: 'ours', to: 'gluon', factor: 0.1 },
  { key: 'echo10', label: '10 MB echo', of: 'ours', to: 'gluon', factor: 0.5 },
  { key: 'open', label: 'open() to first reply', of: 'ours', to: 'gluon', factor: 0.8 },
  ...FIREFOX_IPC.map(([key, label]) => ({ key, label: `Firefox: ${label}`, of: 'ours-firefox', to: 'ours', factor: 1.5 })),
  { key: 'open', label: 'Firefox: open() to first reply', of: 'ours-firefox', max: 3000 },
];

const titleOf = (id) => COLUMNS.find((column) => column.id === id)?.title ?? id;

export function formatNumber(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return Math.round(value).toString();
}

function ratio(results, key, of, to) {
  const a = results[of]?.metrics[key];
  const b = results[to]?.metrics[key];
  if (typeof a !== 'number' || typeof b !== 'number' || b === 0) return undefined;
  return a / b;
}

const formatRatio = (value) => (value === undefined ? '—' : `${value.toFixed(2)}x`);

/** Rows of cells for the metrics table. */
function metricRows(results) {
  return METRICS.map(({ key, label, unit }) => [
    `${label}, ${unit}`,
    ...COLUMNS.map(({ id }) => formatNumber(results[id]?.metrics[key])),
    ...RATIOS.map(({ of, to }) => formatRatio(ratio(results, key, of, to))),
  ]);
}

function targetRows(results) {
  return TARGETS.map(({ key, label, of, to, factor, max }) => {
    if (max !== undefined) {
      const value = results[of]?.metrics[key];
      const verdict = typeof value !== 'number' ? 'n/a' : value <= max ? 'pass' : 'miss';
      return [label, `<= ${max} ms`, typeof value === 'number' ? `${formatNumber(value)} ms` : '—', verdict];
    }
    const value = ratio(results, key, of, to);
    const verdict = value === undefined ? 'n/a' : value <= factor ? 'pass' : 'miss';
    return [label, `<= ${factor}x ${titleOf(to)}`, formatRatio(value), verdict];
  });
}

/** How the open() target compares with the browser's own start, which no framework can go under. */
function floorNote(results) {
  const launch = results.raw?.metrics.launch;
  const gluon = results.gluon?.metrics.open;
  if (typeof launch !== 'number' || typeof gluon !== 'number') return '';
  return `\nThe browser's own start, with no app and no IPC (raw column, second row), took ${formatNumber(launch)} ms: ` +
    `${(launch / gluon).toFixed(2)}x Gluon's whole open() to first reply. Every framework's open() stands on it.\n`;
}

/** The individual samples of the metrics that are medians of a few runs. */
function sampleRows(results) {
  return METRICS.filter(({ key }) => COLUMNS.some(({ id }) => results[id]?.samples?.[key])).map(({ key, label }) => [
    label.replace(/ \(median of \d+( launches)?\)$/, ''),
    ...COLUMNS.map(({ id }) => (results[id]?.samples?.[key] ?? []).map(formatNumber).join(', ') || '—'),
  ]);
}

/** Column titles, marked when a column has no figures at all. */
const titles = (results) => COLUMNS.map(({ id, title }) =>
  (results[id]?.error && !Object.keys(results[id].metrics).length ? `${title} (unavailable)` : title));
const metricHeader = (results) => ['metric', ...titles(results), ...RATIOS.map(({ title }) => title)];
const TARGET_HEADER = ['target', 'goal', 'measured', 'verdict'];

/** A plain-text table for the terminal. */
function textTable(header, rows) {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => String(row[i]).length)));
  const line = (row) => row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(header, rows) {
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [header, align, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

/** Why a column has no (or partial) figures, one line per column. */
function problems(results) {
  const failed = COLUMNS.filter(({ id }) => results[id]?.error).map(({ id, title }) => {
    const measured = Object.keys(results[id].metrics).length;
    return `${title}: ${measured ? 'partly unavailable' : 'unavailable'}: ${results[id].error}`;
  });
  const retried = COLUMNS.flatMap(({ id, title }) => (results[id]?.retried ?? []).map((why) => `${title}: one run failed and was run again: ${why}`));
  return [...failed, ...retried];
}

export function textReport(results) {
  const lines = [textTable(metricHeader(results), metricRows(results)), '', textTable(TARGET_HEADER, targetRows(results))];
  const notes = problems(results);
  if (notes.length) lines.push('', ...notes);
  return lines.join('\n');
}

/** The whole of BENCHMARKS.md. */
export function markdownReport(results, machine) {
  const notes = problems(results);
  return `# Benchmarks

<!-- Generated by scripts/bench.js (npm run bench). Do not edit by hand: run it again. -->

gluon-ts against Gluon 0.14 (\`@gluon-framework/gluon\` 0.14.0) and against the raw protocol floor:
the same operations over bare CDP (\`bench/raw-cdp.js\`: a binding page -> Node, \`Runtime.callFunctionOn\`
Node -> page, JSON text, messages of one microtask sent as one batch, like gluon-ts) with no framework.
gluon-ts moves a local app's IPC onto its loopback data channel once the page is up; the column
"CDP only" is gluon-ts with that channel turned off (\`loopbackIPC: false\`), as for a remote https
site. The last two columns are gluon-ts driving Firefox over WebDriver BiDi (Gluon 0.14 cannot drive
Firefox 141 or newer at all: they have no CDP), with its data channel and, again as for a remote site,
without it ("BiDi only").

**These figures come from one run on a noisy shared machine** (2 cores, other work running): read them
as orders of magnitude and ratios, not as exact numbers. Regenerate this file with:

\`\`\`sh
npm run bench
\`\`\`

- Date: ${machine.date}
- Machine: ${machine.os}; ${machine.cpus}; ${machine.memory}
- Node: ${machine.node}
- Browser: ${machine.browser}
- Firefox: ${machine.firefox}
- Browser switches added to every Chromium column: \`${machine.switches}\` (the Firefox column runs
  gluon-ts's own headless Firefox)

## Results

${markdownTable(metricHeader(results), metricRows(results))}
${notes.length ? `\n${notes.map((note) => `- **${note}**`).join('\n')}\n` : ''}
## Targets

${markdownTable(TARGET_HEADER, targetRows(results))}
${floorNote(results)}
## Samples behind the medians (ms; MB for RSS)

${markdownTable(['metric', ...titles(results)], sampleRows(results))}

## How it is measured

- Each column runs in its own fresh Node processes (\`bench/runner.js\`), so memory and state do not mix;
  \`scripts/bench.js\` runs them one after another and collects their results.
- **Every IPC figure is the median of three runs**, each a fresh process (a launch, then all the IPC
  measurements), the columns taking turns, so a slow spell of the shared machine does not fall on one
  column only. The samples table lists the three runs' values. Within a run: the sequential figures
  come from 2000 calls, "1000 concurrent calls" is the median of 5 rounds, the echoes of 3.
- The app is \`bench/app/index.html\`, the same page for all three, loaded from its folder (gluon-ts and
  Gluon serve it through request interception, the raw floor opens it as a \`file://\` URL).
- **open() to first reply**: wall-clock time from calling \`open()\` to the moment the page, which calls
  an exposed function as soon as its script runs, has the reply in hand. Three launches per column, each
  in a fresh Node process, the columns taking turns (so a burst of load on the machine hits all alike).
  The CDP-only column takes no part: its open() is the same as gluon-ts's.
- **first launch on a new machine**: one launch per column before those three, with an empty per-user
  data folder (each column has its own, kept for its later launches). Every launch uses a new
  temporary browser profile, but gluon-ts seeds a new Firefox profile with the start-up caches that
  the first one left when it shut down (\`TEMPLATE_FILES\` in \`src/browser/firefox.ts\`: no user
  data): that first launch has none yet, the three after it do.
- **browser start**: in the raw column's launches, the time from spawning the browser to the first
  \`Runtime.evaluate\` answered in its empty start page: what any open() must wait for before an app exists.
- **Calls** (page -> backend exposed \`echo\` -> page) are timed in the page with \`performance.now()\`,
  which Chromium rounds to 0.1 ms and Firefox to 1 ms in a page that is not cross-origin isolated:
  medians and p99 come in those steps. The mean is the total time of the 2000 calls divided by 2000, so
  it is exact on both. 200 unmeasured calls come first; concurrent and echo runs start with one
  unmeasured round.
- **Echo** strings are ASCII letters and digits (nothing a codec must escape), 1 MiB and 10 MiB.
- **backend -> page sends** (\`Window.ipc.send\` to a page listener that returns its data) are timed in
  Node with \`performance.now()\`, after 100 unmeasured ones.
- **RSS** is \`process.memoryUsage().rss\` of the column's backend process after its run and a forced
  full garbage collection (the runners run with \`--expose-gc\`).
- Gluon 0.14 has no headless option: it is started through a small wrapper script that adds the
  switches above. Its \`page.eval\` does not await promises, so the bench evaluates through its
  \`Window.cdp.send('Runtime.evaluate')\` instead.
`;
}
