// The IPC types (src/types/ipc.ts) are tested at compile time: test/types/ and the typed example
// must compile with the project's own TypeScript. Each `// @ts-expect-error` there marks a check
// that must bite. test/types is compiled in this process (the errors must be exactly on the lines
// the directives mark); the Gluon typings, the typed example and the built entry with tsc, where
// "Unused '@ts-expect-error' directive" fails a directive that stops biting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const require = createRequire(import.meta.url);
/** The repository root (this file runs from dist/test/unit). */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tsc = require.resolve('typescript/bin/tsc');

function runTsc(project: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, '-p', join(root, project), '--pretty', 'false'], { cwd: root, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}

test("a TypeScript Gluon app (test/types/gluon-app.ts) also compiles against Gluon 0.14's own typings, its @ts-expect-error checks biting there too", async () => {
  const { code, output } = await runTsc('test/types/gluon/tsconfig.json');
  assert.equal(code, 0, output);
});

test('the typed example (examples/typed) compiles, backend and page', async () => {
  const { code, output } = await runTsc('examples/typed/tsconfig.json');
  assert.equal(code, 0, output);
});

test("page code can import the published types-only entry 'gluon-ts/page'; the Gluon app of test/types compiles against the built declarations", async (t) => {
  if (!existsSync(join(root, 'dist/src/types/page.d.ts'))) return t.skip('needs the build (dist/src/types/page.d.ts)');
  const { code, output } = await runTsc('test/types/entry/tsconfig.json');
  assert.equal(code, 0, output);
});

// test/types compiled once, with each directive turned into a plain comment: the errors must sit on
// exactly the lines right after the directives. That is what `tsc -p test/types` exiting 0 proves
// (every directive bites, nothing else fails), and more: each directive's error is its own line's.
test('test/types compiles: every @ts-expect-error check bites on the line right after it, and every positive case type-checks', () => {
  const configPath = join(root, 'test/types/tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  });
  assert.ok(parsed);
  const typesDir = join(root, 'test/types');
  const inTypesDir = (file: string) => !relative(typesDir, file).startsWith('..');
  // The same program, with each directive turned into a plain comment.
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (!inTypesDir(fileName)) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
    const text = ts.sys.readFile(fileName);
    return text === undefined ? undefined : ts.createSourceFile(fileName, text.replaceAll('@ts-expect-error', 'expected error:'), languageVersion);
  };
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });

  const expected = new Set<string>();
  for (const fileName of parsed.fileNames) {
    const lines = (ts.sys.readFile(fileName) ?? '').split('\n');
    lines.forEach((line, index) => {
      if (line.includes('// @ts-expect-error')) expected.add(`${relative(root, fileName)}:${index + 2}`);
    });
  }
  const actual = new Set<string>();
  const messages: string[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const where = diagnostic.file
      ? `${relative(root, diagnostic.file.fileName)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}`
      : '(no file)';
    actual.add(where);
    messages.push(`${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
  }
  assert.ok(expected.size >= 40, `only ${expected.size} checks found`);
  assert.deepEqual([...actual].sort(), [...expected].sort(), messages.join('\n'));
});
