// The IPC types (src/types/ipc.ts) are tested at compile time: test/types/ and the typed example
// must compile with the project's own TypeScript. Each `// @ts-expect-error` there marks a check
// that must bite. All four projects are compiled in this process with TypeScript's own API, which
// reports what `tsc -p` reports (an "Unused '@ts-expect-error' directive" fails a directive that
// stops biting); the files they share (TypeScript's libs, @types/node, src/) are parsed once.
// test/types itself is compiled with each directive turned into a plain comment, so that the
// errors must be exactly on the lines the directives mark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root (this file runs from dist/test/unit). */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const typesDir = join(root, 'test/types');
const inTypesDir = (file: string) => !relative(typesDir, file).startsWith('..');

/** Files outside test/types, parsed once for all the projects here (they all target ES2022, NodeNext). */
const parsed = new Map<string, ts.SourceFile | undefined>();

/** A project's options and files, as `tsc -p` reads its tsconfig.json. */
function readProject(project: string): ts.ParsedCommandLine {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, project), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  });
  assert.ok(config, project);
  assert.deepEqual(config.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], project);
  return config;
}

/**
 * Compiles a project as `tsc -p` does, with nothing emitted; `rewrite` may change the text of the
 * files of test/types first. Returns the diagnostics.
 */
function compile(config: ts.ParsedCommandLine, rewrite?: (text: string) => string): readonly ts.Diagnostic[] {
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (inTypesDir(fileName)) {
      if (!rewrite) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
      const text = ts.sys.readFile(fileName);
      return text === undefined ? undefined : ts.createSourceFile(fileName, rewrite(text), languageVersion);
    }
    const key = `${JSON.stringify(languageVersion)}\0${fileName}`;
    if (!parsed.has(key)) parsed.set(key, getSourceFile(fileName, languageVersion, onError, shouldCreate));
    return parsed.get(key);
  };
  return ts.getPreEmitDiagnostics(ts.createProgram({ rootNames: config.fileNames, options: config.options, host }));
}

/** Compiles a project; the diagnostics as tsc prints them (none when it compiles). */
function runTsc(project: string): string {
  const diagnostics = compile(readProject(project));
  return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' });
}

test("a TypeScript Gluon app (test/types/gluon-app.ts) also compiles against Gluon 0.14's own typings, its @ts-expect-error checks biting there too", () => {
  assert.equal(runTsc('test/types/gluon/tsconfig.json'), '');
});

test('the typed example (examples/typed) compiles, backend and page', () => {
  assert.equal(runTsc('examples/typed/tsconfig.json'), '');
});

test("page code can import the published types-only entry 'gluon-ts/page'; the Gluon app of test/types compiles against the built declarations", (t) => {
  if (!existsSync(join(root, 'dist/src/types/page.d.ts'))) return t.skip('needs the build (dist/src/types/page.d.ts)');
  assert.equal(runTsc('test/types/entry/tsconfig.json'), '');
});

// test/types compiled once, with each directive turned into a plain comment: the errors must sit on
// exactly the lines right after the directives. That is what `tsc -p test/types` exiting 0 proves
// (every directive bites, nothing else fails), and more: each directive's error is its own line's.
test('test/types compiles: every @ts-expect-error check bites on the line right after it, and every positive case type-checks', () => {
  const config = readProject('test/types/tsconfig.json');
  // The same program, with each directive turned into a plain comment.
  const diagnostics = compile(config, (text) => text.replaceAll('@ts-expect-error', 'expected error:'));

  const expected = new Set<string>();
  for (const fileName of config.fileNames) {
    const lines = (ts.sys.readFile(fileName) ?? '').split('\n');
    lines.forEach((line, index) => {
      if (line.includes('// @ts-expect-error')) expected.add(`${relative(root, fileName)}:${index + 2}`);
    });
  }
  const actual = new Set<string>();
  const messages: string[] = [];
  for (const diagnostic of diagnostics) {
    const where = diagnostic.file
      ? `${relative(root, diagnostic.file.fileName)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}`
      : '(no file)';
    actual.add(where);
    messages.push(`${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
  }
  assert.ok(expected.size >= 40, `only ${expected.size} checks found`);
  assert.deepEqual([...actual].sort(), [...expected].sort(), messages.join('\n'));
});
