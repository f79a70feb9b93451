// `gluon-ts create <dir>`: a new TypeScript app from template/app: backend, page, a typed IPC
// description both share, a headless test. It runs with `npm start` right after `npm install`.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageVersion } from '../assets.js';
import { CliError } from './project.js';

const TEMPLATE = fileURLToPath(new URL('../../../template/app/', import.meta.url));

/** Versions the template's tools are pinned to: the ones this package was built and tested with. */
function toolVersions(): Record<string, string> {
  const own = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  const dev = own.devDependencies ?? {};
  return {
    gluonVersion: `^${packageVersion()}`,
    esbuildVersion: dev.esbuild ?? '^0.28.0',
    typescriptVersion: dev.typescript ?? '~5.9.0',
    typesNodeVersion: dev['@types/node'] ?? '^20.0.0',
    postjectVersion: '1.0.0-alpha.6',
  };
}

function templateFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? templateFiles(path) : [path];
  });
}

export interface CreateOptions {
  /** Package name (default: the folder's name). */
  name?: string;
  /** Version range, path or tarball to depend on for gluon-ts (default: ^this version). */
  gluon?: string;
  force?: boolean;
}

export function create(target: string, options: CreateOptions, log: (line: string) => void): string {
  const dir = resolve(target);
  if (existsSync(dir) && readdirSync(dir).length > 0 && !options.force) {
    throw new CliError(`${dir} exists and is not empty: choose a new folder, or pass --force to write into it anyway`);
  }
  const folderName = basename(dir);
  const name = (options.name ?? folderName).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'gluon-app';
  const title = folderName.replace(/[-_]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
  const values: Record<string, string> = { ...toolVersions(), name, title };
  if (options.gluon) values.gluonVersion = options.gluon;
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const file of templateFiles(TEMPLATE)) {
    let rel = relative(TEMPLATE, file);
    if (rel === 'gitignore') rel = '.gitignore'; // npm would drop a .gitignore from the package
    const to = join(dir, rel);
    mkdirSync(join(to, '..'), { recursive: true });
    const text = readFileSync(file, 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
      const value = values[key];
      if (value === undefined) return whole;
      return file.endsWith('.json') ? JSON.stringify(value).slice(1, -1) : value;
    });
    writeFileSync(to, text);
    written.push(rel);
  }
  log(`Created ${name} in ${dir}:`);
  for (const rel of written.sort()) log(`  ${rel}`);
  const cd = relative(process.cwd(), dir) || '.';
  log('');
  log('Next:');
  if (cd !== '.') log(`  cd ${cd.includes(' ') ? JSON.stringify(cd) : cd}`);
  log('  npm install');
  log('  npm start        # opens the window; edits reload it');
  log('  npm test         # builds it and checks its IPC headless');
  log('  npm run build    # dist/: one-file bundle and a single executable');
  return dir;
}
