// Turns the runners' results into the stdout table and the text of BENCHMARKS.md:
// the metrics, the three columns (gluon-ts, Gluon 0.14, raw CDP floor), the ratio
// gluon-ts / Gluon, and the issue's targets with pass or miss.

/** The rows, in order: key (as the runners emit it), label, unit. */
export const METRICS = [
  { key: 'open', label: 'open() to first reply in the page (median of 3 launches)', unit: 'ms' },
  { key: 'launch', label: 'browser start to a first script in an empty page, no app, no IPC (median of 3)', unit: 'ms' },
  { key: 'seqMedian', label: 'sequential call round trip, median (2000 calls)', unit: 'ms' },
  { key: 'seqP99', label: 'sequential call round trip, p99', unit: 'ms' },
  { key: 'seqMean', label: 'sequential call round trip, mean', unit: 'ms' },
  { key: 'concurrent', label: '1000 concurrent calls, total (median of 5)', unit: 'ms' },
  { key: 'echo1', label: '1 MB string echo page -> backend -> page (median of 3)', unit: 'ms' },
  { key: 'echo10', label: '10 MB string echo (median of 3)', unit: 'ms' },
  { key: 'sendMedian', label: 'backend -> page send round trip, median (1000 sequential)', unit: 'ms' },
  { key: 'sendConcurrent', label: 'backend -> page 1000 concurrent sends, total (median of 3)', unit: 'ms' },
  { key: 'rss', label: 'backend RSS after the run (after a full GC)', unit: 'MB' },
];

/** The issue's targets: gluon-ts at most `factor` times Gluon 0.14. */
export const TARGETS = [
  { key: 'seqMedian', label: 'sequential round trip median', factor: 0.8 },
  { key: 'concurrent', label: '1000 concurrent calls', factor: 0.1 },
  { key: 'echo10', label: '10 MB echo', factor: 0.5 },
  { key: 'open', label: 'open() to first reply', factor: 0.8 },
];

/** `open: false`: the column takes no part in the open() rounds (same path as another column). */
export const COLUMNS = [
  { id: 'ours', title: 'gluon-ts' },
  { id: 'gluon', title: 'Gluon 0.14' },
  { id: 'raw', title: 'raw CDP floor' },
  { id: 'ours-cdp', title: 'gluon-ts, CDP only', open: false },
];

export function formatNumber(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return Math.round(value).toString();
}

function ratio(results, key) {
  const ours = results.ours?.metrics[key];
  const theirs = results.gluon?.metrics[key];
  if (typeof ours !== 'number' || typeof theirs !== 'number' || theirs === 0) return undefined;
  return ours / theirs;
}

const formatRatio = (value) => (value === undefined ? '—' : `${value.toFixed(2)}x`);

/** Rows of cells for the metrics table. */
function metricRows(results) {
  return METRICS.map(({ key, label, unit }) => [
    `${label}, ${unit}`,
    ...COLUMNS.map(({ id }) => formatNumber(results[id]?.metrics[key])),
    formatRatio(ratio(results, key)),
  ]);
}

function targetRows(results) {
  return TARGETS.map(({ key, label, factor }) => {
    const value = ratio(results, key);
    const verdict = value === undefined ? 'n/a' : value <= factor ? 'pass' : 'miss';
    return [label, `<= ${factor}x Gluon`, formatRatio(value), verdict];
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
const metricHeader = (results) => ['metric', ...titles(results), 'gluon-ts / Gluon'];
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
  return COLUMNS.filter(({ id }) => results[id]?.error).map(({ id, title }) => {
    const measured = Object.keys(results[id].metrics).length;
    return `${title}: ${measured ? 'partly unavailable' : 'unavailable'}: ${results[id].error}`;
  });
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
gluon-ts moves a local app's IPC onto its loopback data channel once the page is up; the last column
is gluon-ts with that channel turned off (\`loopbackIPC: false\`), as for a remote https site.

**These figures come from one run on a noisy shared machine** (2 cores, other work running): read them
as orders of magnitude and ratios, not as exact numbers. Regenerate this file with:

\`\`\`sh
npm run bench
\`\`\`

- Date: ${machine.date}
- Machine: ${machine.os}; ${machine.cpus}; ${machine.memory}
- Node: ${machine.node}
- Browser: ${machine.browser}
- Browser switches added to every column: \`${machine.switches}\`

## Results

${markdownTable(metricHeader(results), metricRows(results))}
${notes.length ? `\n${notes.map((note) => `- **${note}**`).join('\n')}\n` : ''}
## Targets

${markdownTable(TARGET_HEADER, targetRows(results))}
${floorNote(results)}
## Samples behind the medians (ms)

${markdownTable(['metric', ...titles(results)], sampleRows(results))}

## How it is measured

- Each column runs in its own fresh Node processes (\`bench/runner.js\`), so memory and state do not mix;
  \`scripts/bench.js\` runs them one after another and collects their results.
- The app is \`bench/app/index.html\`, the same page for all three, loaded from its folder (gluon-ts and
  Gluon serve it through request interception, the raw floor opens it as a \`file://\` URL).
- **open() to first reply**: wall-clock time from calling \`open()\` to the moment the page, which calls
  an exposed function as soon as its script runs, has the reply in hand. Three launches per column, each
  in a fresh Node process, the columns taking turns (so a burst of load on the machine hits all alike).
  The CDP-only column takes no part: its open() is the same as gluon-ts's.
- **browser start**: in the raw column's launches, the time from spawning the browser to the first
  \`Runtime.evaluate\` answered in its empty start page: what any open() must wait for before an app exists.
- **Calls** (page -> backend exposed \`echo\` -> page) are timed in the page with \`performance.now()\`,
  which Chromium rounds to 0.1 ms in a page that is not cross-origin isolated: medians come in 0.1 ms
  steps, so the mean is given too. 200 unmeasured calls come first; concurrent and echo runs start with
  one unmeasured round.
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
