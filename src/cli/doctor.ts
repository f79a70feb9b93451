// `gluon-ts doctor`: the browsers this machine has for gluon-ts apps, and what is missing.
import { execFile } from 'node:child_process';
import { BrowserNotFoundError, surveyBrowsers, type BrowserSurvey } from '../browser/find.js';

/** What `<browser> --version` prints (first line), or undefined. */
function versionOf(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: 15_000, env: { ...process.env, MOZ_HEADLESS: '1' } }, (error, stdout) => {
      const line = String(stdout ?? '').trim().split('\n')[0]?.trim();
      resolve(error || !line ? undefined : line);
    });
  });
}

export async function doctor(options: { json?: boolean }): Promise<number> {
  const survey = await surveyBrowsers();
  const versions = await Promise.all(survey.browsers.map((b) => (b.path ? versionOf(b.path) : undefined)));
  process.stdout.write(options.json ? JSON.stringify(doctorReport(survey, versions), null, 2) + '\n' : doctorText(survey, versions));
  return survey.browsers.some((b) => b.path) ? 0 : 1;
}

interface Row { id: string; name: string; engine: 'chromium' | 'firefox'; version: string; path: string }

function rowsOf(survey: BrowserSurvey, versions: (string | undefined)[]): Row[] {
  return survey.browsers.flatMap((b, i) => (b.path
    ? [{ id: b.id, name: b.name, engine: b.engine, version: versions[i] ?? '(did not answer --version)', path: b.path }]
    : []));
}

const missingEngines = (rows: Row[]) => (['chromium', 'firefox'] as const).filter((engine) => !rows.some((r) => r.engine === engine));

/** `doctor --json`: `versions` holds each surveyed browser's --version answer. */
export function doctorReport(survey: BrowserSurvey, versions: (string | undefined)[]) {
  const rows = rowsOf(survey, versions);
  const chosen = survey.chosen instanceof BrowserNotFoundError ? undefined : survey.chosen;
  return {
    node: process.version,
    platform: process.platform,
    browsers: rows,
    notFound: survey.browsers.filter((b) => !b.path).map((b) => ({ id: b.id, name: b.name, engine: b.engine, searched: b.searched })),
    default: chosen ?? null,
    defaultError: chosen ? null : (survey.chosen as Error).message,
    missingEngines: missingEngines(rows),
  };
}

/** `doctor`'s text: `versions` holds each surveyed browser's --version answer. */
export function doctorText(survey: BrowserSurvey, versions: (string | undefined)[]): string {
  const rows = rowsOf(survey, versions);
  const missing = missingEngines(rows);
  const chosen = survey.chosen instanceof BrowserNotFoundError ? undefined : survey.chosen;
  const out: string[] = [];
  out.push(`gluon-ts doctor: Node ${process.version} on ${process.platform}/${process.arch}`);
  out.push('');
  if (rows.length) {
    out.push(`Browsers found (${rows.length}):`);
    const width = (key: 'name' | 'engine' | 'version') => Math.max(...rows.map((r) => r[key].length));
    for (const r of rows) {
      out.push(`  ${r.name.padEnd(width('name'))}  ${r.engine.padEnd(width('engine'))}  ${r.version.padEnd(width('version'))}  ${r.path}`);
    }
  } else {
    out.push('Browsers found: none.');
  }
  out.push('');
  if (chosen) {
    out.push(`An app opens in: ${chosen.name} (${chosen.path}), unless it asks for another`);
    out.push('  (open(url, { forceBrowser }), a --<browser> flag such as --firefox, or GLUON_BROWSER=name-or-path).');
  } else {
    out.push(`An app cannot open: ${(survey.chosen as Error).message.split('\n')[0]}`);
  }
  const notFound = survey.browsers.filter((b) => !b.path);
  if (notFound.length) {
    out.push('');
    out.push(`Not found (${notFound.length}): ${notFound.map((b) => b.name).join(', ')}.`);
    out.push('  Looked ' + [...new Set(notFound.flatMap((b) => b.searched.map((line) => line.split(':')[0])))].join('; ') + '.');
  }
  for (const engine of missing) {
    out.push('');
    out.push(engine === 'firefox'
      ? 'Missing: no Firefox-family browser, so apps cannot be run or tested on Firefox (WebDriver BiDi). To install one:'
      : 'Missing: no Chromium-family browser (Chrome, Edge, Chromium, Brave, Vivaldi...). To install one:');
    out.push(...survey.installHints[engine]);
  }
  if (!missing.length) {
    out.push('');
    out.push('Nothing missing: apps can run on both engines (Chromium over CDP, Firefox over WebDriver BiDi).');
  }
  return out.join('\n') + '\n';
}
