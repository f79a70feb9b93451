// The layer rules of src/, checked by `npm run lint` (after tsc). Every import of every
// src/**/*.ts file is read: `import ... from`, `import type`, `export ... from`, side-effect
// imports, `import('...')` and `typeof import('...')`, found by TypeScript's own pre-processor,
// so comments and strings never count. A specifier that is not a literal cannot be checked.
//
// The rules are written by folder, not by file, so they hold when files move inside a folder.
// Each names who it applies to (`from`), what those files may not import (`forbids`), why, and
// what to do instead. A relative import is judged by the file it resolves to (`./x.js` is
// ./x.ts), a package import by the package's name, a Node built-in as `node:`.
//
//   node scripts/check-layers.js [root]   exit 0 when every import keeps the rules, 1 otherwise
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const ts = createRequire(import.meta.url)('typescript');

/** A file under src/engine/<engine>/ (chromium/, firefox/): one engine's delegate and protocol. */
const inEngineFolder = (path) => /^src\/engine\/[^/]+\//.test(path);
const under = (folder) => (path) => path.startsWith(`${folder}/`);
const is = (...files) => (path) => files.includes(path);
const not = (test) => (path) => !test(path);
/** A module of src/ (as opposed to a package or a Node built-in). */
const source = (path) => path.startsWith('src/');
const NODE = 'node:';

/**
 * The rules. `from(file)` says whom a rule binds; `forbids(target, file)` tests what that file
 * imports: a path such as `src/window/open.ts`, a package name such as `devtools-protocol`, or
 * `node:` for a Node built-in.
 */
export const RULES = [
  {
    name: 'protocol-in-engine-folders',
    from: not(inEngineFolder),
    forbids: is('devtools-protocol', 'webdriver-bidi-protocol', 'chromium-bidi'),
    reason: 'CDP and BiDi, their code and their types, live only in the engine delegates (src/engine/<engine>/), so a protocol change stays in one folder',
    instead: 'use the neutral types of src/engine/*.ts (add what is missing there) and leave the protocol call to the delegate',
  },
  {
    name: 'engine-folders-private',
    from: not(under('src/engine')),
    forbids: inEngineFolder,
    reason: 'above src/engine/ (window/ included) code sees only the neutral Browser and Page of src/engine/*.ts, never one engine',
    instead: 'import the neutral module in src/engine/ (types, page, browser, launch); if it lacks a verb, add it to the delegate contract in src/engine/delegate.ts',
  },
  {
    name: 'engines-apart',
    from: inEngineFolder,
    forbids: (path, file) => inEngineFolder(path) && path.split('/')[2] !== file.split('/')[2],
    reason: 'a rule both engines need belongs to the neutral layer, not to one engine borrowed by the other',
    instead: 'move the shared piece to src/engine/*.ts and import it from there in both engine folders',
  },
  {
    name: 'ipc-at-the-bottom',
    from: under('src/ipc'),
    forbids: (path) => path === NODE || (source(path) && !under('src/ipc')(path) && !under('src/types')(path) && path !== 'src/wait.ts'),
    reason: 'the IPC core is transport-agnostic and is bundled into the page too: it imports only src/ipc/, the type-only src/types/ and src/wait.ts (src/log.ts reads process.env, which a page lacks), and no Node built-in',
    instead: 'take what ipc/ needs as a parameter or a setter (as codec.ts\'s setLeftOutLog) and pass it in from the layer above',
  },
  {
    name: 'page-bootstrap-alone',
    from: under('src/page'),
    forbids: (path) => path === NODE || (source(path) && !under('src/page')(path) && !under('src/ipc')(path)),
    reason: 'src/page/ is bundled into the browser before any page script: it may import only src/ipc/ and itself, and no Node built-in',
    instead: 'put what the page needs into src/ipc/ (browser-safe) or src/page/',
  },
  {
    name: 'window-is-the-api',
    from: (path) => source(path) && !under('src/window')(path) && !under('src/cli')(path) && path !== 'src/index.ts',
    forbids: under('src/window'),
    reason: 'src/window/ is the Gluon API layer: only src/index.ts exposes and wires it; a lower layer importing it would make a cycle',
    instead: 'take a callback from the layer above (as src/dev-reload.ts does), or move the piece below window/',
  },
  {
    name: 'desktop-below-the-window',
    from: under('src/desktop'),
    forbids: (path) => source(path) && !under('src/desktop')(path) && !under('src/types')(path) && !is('src/log.ts', 'src/wait.ts', 'src/assets.ts')(path),
    reason: 'src/desktop/ is the OS around the app (one instance, app events): it works without a window or a browser, so it imports only itself, src/types/, src/log.ts, src/wait.ts and src/assets.ts (the name a build wrote), never src/engine/, src/window/ or src/browser/',
    instead: 'let src/index.ts (or window/) join a desktop service to a window, passing what the service needs as a parameter',
  },
  {
    name: 'cli-through-seams',
    from: under('src/cli'),
    forbids: (path) => source(path) && !under('src/cli')(path) && !under('src/browser')(path) && !under('src/desktop')(path) && !is('src/index.ts', 'src/assets.ts', 'src/dev-reload.ts', 'src/log.ts')(path),
    reason: 'the CLI talks to the library through the public entry (src/index.ts), the seams src/assets.ts (what a bundle swaps) and src/dev-reload.ts (the dev server\'s message), src/browser/ (doctor lists browsers) and src/desktop/ (the OS around the app, which needs no window: the desktop entry a build writes, and install registering the built app)',
    instead: 'export what the CLI needs from src/index.ts or a seam module at src/, not a path into window/, engine/ or ipc/',
  },
  {
    name: 'cli-on-top',
    from: (path) => source(path) && !under('src/cli')(path),
    forbids: under('src/cli'),
    reason: 'the library never depends on its command-line tool: an app\'s bundle would carry the CLI',
    instead: 'move the shared piece below (a seam module at src/) and import it from both sides',
  },
];

/** Every .ts file under `dir`, as paths relative to `root` with forward slashes. */
function typeScriptFiles(root, dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(root, path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const BUILTINS = new Set(builtinModules);

/** What a specifier names: a src/ path (`.js` read as `.ts`), a package name, or `node:`. */
function targetOf(file, specifier) {
  if (specifier.startsWith('.')) return posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
  if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0])) return NODE;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The imports of one file: its specifier, where it is (line), and what it names. */
export function importsOf(file, text) {
  const lineStarts = ts.computeLineStarts(text);
  return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName, pos }) => ({
    specifier: fileName,
    line: ts.computeLineAndCharacterOfPosition(lineStarts, pos).line + 1,
    target: targetOf(file, fileName),
  }));
}

/**
 * Checks every src/**\/*.ts file under `root` against `rules`. Returns the files and imports
 * read and one violation per import and rule it breaks.
 */
export function checkLayers(root, rules = RULES) {
  const files = typeScriptFiles(root, 'src');
  const violations = [];
  let imports = 0;
  for (const file of files) {
    for (const found of importsOf(file, readFileSync(join(root, file), 'utf8'))) {
      imports++;
      for (const rule of rules) {
        if (rule.from(file) && rule.forbids(found.target, file)) violations.push({ file, ...found, rule });
      }
    }
  }
  return { files: files.length, imports, violations };
}

/** One violation as the lines lint prints: where, what, which rule and why, what to do. */
export function describe({ file, line, specifier, target, rule }) {
  const named = target === specifier || target === NODE ? '' : ` (${target})`;
  return `${file}:${line} imports '${specifier}'${named}: breaks layer rule "${rule.name}": ${rule.reason}.\n    Instead: ${rule.instead}.`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
  const { files, imports, violations } = checkLayers(root);
  if (violations.length) {
    for (const violation of violations) console.error(describe(violation));
    console.error(`layers: ${violations.length} import(s) break the rules of scripts/check-layers.js (${files} files, ${imports} imports read)`);
    process.exitCode = 1;
  } else {
    console.log(`layers: ${files} files, ${imports} imports, ${RULES.length} rules: ok`);
  }
}
