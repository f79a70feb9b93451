#!/usr/bin/env node
// The gluon-ts command line: create, dev, build, install, uninstall, doctor. `gluon-ts <command> --help` for each.
import { parseArgs } from 'node:util';
import { packageVersion } from '../assets.js';
import { CliError } from './project.js';

const HELP: Record<string, string> = {
  main: `gluon-ts ${packageVersion()}: desktop apps from a Node backend and a web page, in a browser the user already has.

Usage: gluon-ts <command> [options]

Commands:
  create <dir>   make a new TypeScript app (backend, page, typed IPC, a headless test)
  dev [dir]      run the app; reload the page when page files change, restart the backend
                 when backend files change
  build [dir]    bundle the app into dist/: one-file backend, the page, a single executable
  install [dir]  register the built app for this user: menu entry, icon, its link schemes
                 and file types
  uninstall      remove what install added (uninstall [dir])
  doctor         list the browsers found (name, engine, version, path) and what is missing

Options:
  -h, --help     help for gluon-ts or for a command (gluon-ts build --help)
  -v, --version  print the version

Start with: npx gluon-ts create my-app && cd my-app && npm install && npm start`,
  create: `Usage: gluon-ts create <dir> [--name <package-name>] [--gluon <version-or-path>] [--force]

Makes a new TypeScript app in <dir>:
  main.ts         the backend (Node): opens the window, exposes functions, answers events
  api.ts          the IPC described once, checked on both sides
  ui/             the page: index.html, app.ts (bundled to app.js), style.css
  test/           a test that opens the page headless and checks its IPC
Then: cd <dir> && npm install && npm start

Options:
  --name <name>     the package name (default: the folder's name)
  --gluon <spec>    what to depend on for gluon-ts: a version range (default ^${packageVersion()}),
                    a path or a tarball (file:../gluon-ts-0.1.0.tgz)
  --force           write into <dir> even if it is not empty`,
  dev: `Usage: gluon-ts dev [dir] [--out <folder>] [-- <arguments for the app>]

Builds the app into .gluon/dev (or --out, a folder inside the project) and runs it. While it runs:
  a change in the page folder (ui/)  rebuilds the page and reloads every window;
  any other source change            stops the backend (which closes its browser),
                                     rebuilds and starts it again.
When the app quits by itself, dev stops too; if it crashes, dev waits for the next change.
Ctrl+C stops the app and its browser, then dev.

[dir] is the project folder (default: the current one), or the backend entry file itself. The
entry is the first of main.ts, main.js, src/main.ts, src/main.js (or package.json "gluon":
{ "main": ... }); the page folder is ui/ beside the entry or at the project root (or "gluon":
{ "ui": ... }). Bundled with the project's esbuild. With no display, set GLUON_HEADLESS=1.`,
  build: `Usage: gluon-ts build [dir] [--out <folder>] [--no-exe] [--minify]

Writes the app to dist/ (or --out), and reports each part's size:
  main.mjs        the backend with everything it imports, gluon-ts included: one file that
                  runs with plain node (node dist/main.mjs) beside the page folder
  ui/             the page, its TypeScript entries bundled
  <name>          a single executable (Node's single-executable applications) holding the
                  backend and the page, where the platform allows; it needs postject
                  (a devDependency of apps made by create) and Node 20.12+
  <app>.desktop   on Linux, the desktop entry (with package.json's gluon.protocols and
                  gluon.fileTypes as MimeType), and <app>-mime.xml for the app's own file
                  types: gluon-ts install registers them for the user
  <title>.app     on macOS (untried there), the app bundle around the single executable,
                  its Info.plist declaring the schemes and file types (gluon.appId names it)

Options:
  --out <folder>  output folder inside the project (default dist); it is emptied first
  --no-exe        skip the single executable
  --minify        minify the backend bundle and the page scripts`,
  install: `Usage: gluon-ts install [dir] [--out <folder>]

Registers the app built in dist/ (or --out) for the current user:
  Linux    the desktop entry in $XDG_DATA_HOME/applications (default ~/.local/share), the icon
           in the hicolor theme, the app's own file types (update-mime-database), the desktop
           database (update-desktop-database), and the app as the default handler of its
           schemes and own file types (xdg-mime default). Schemes and file types come from
           package.json: "gluon": { "protocols": ["myapp"], "fileTypes": [{ "name": "Markdown",
           "extensions": ["md"], "mimeType": "text/markdown" }] }
  Windows  HKCU\\Software\\Classes keys for the schemes and file types (reg add)
  macOS    (untried there) the app bundle copied to ~/Applications, registered with Launch
           Services (lsregister), and made the default handler of its schemes
Run it again after each build that moves the app. gluon-ts uninstall removes what it added.`,
  uninstall: `Usage: gluon-ts uninstall [dir] [--out <folder>]

Removes what gluon-ts install added for the current user: on Linux the files, folders and
caches its record ($XDG_DATA_HOME/gluon-ts/installed/<app>.json) lists and the app's lines in
mimeapps.list; on Windows the registry keys; on macOS the bundle in ~/Applications
(unregistered from Launch Services first).`,
  doctor: `Usage: gluon-ts doctor [--json]

Lists the browsers gluon-ts can open apps in on this machine (name, engine, version, path),
which one an app picks by default, where the others were looked for, and how to install what
is missing. Exits with 1 if no browser is found.

Options:
  --json   the same, as JSON`,
};

function help(command: string): number {
  process.stdout.write(HELP[command] + '\n');
  return 0;
}

const log = (line: string) => process.stdout.write(line + '\n');

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  if (!command || command === '-h' || command === '--help' || command === 'help') return help(argv[1] && HELP[argv[1]] ? argv[1] : 'main');
  if (command === '-v' || command === '--version') {
    log(packageVersion());
    return 0;
  }
  if (!Object.hasOwn(HELP, command) || command === 'main') {
    throw new CliError(`unknown command "${command}". Commands: create, dev, build, install, uninstall, doctor (gluon-ts --help)`);
  }
  const rest = argv.slice(1);
  const dashDash = rest.indexOf('--');
  const own = dashDash === -1 ? rest : rest.slice(0, dashDash);
  const appArgs = dashDash === -1 ? [] : rest.slice(dashDash + 1);
  const options = {
    help: { type: 'boolean', short: 'h' },
    name: { type: 'string' },
    gluon: { type: 'string' },
    force: { type: 'boolean' },
    out: { type: 'string' },
    'no-exe': { type: 'boolean' },
    minify: { type: 'boolean' },
    json: { type: 'boolean' },
  } as const;
  const allowed: Record<string, string[]> = {
    create: ['help', 'name', 'gluon', 'force'],
    dev: ['help', 'out'],
    build: ['help', 'out', 'no-exe', 'minify'],
    install: ['help', 'out'],
    uninstall: ['help', 'out'],
    doctor: ['help', 'json'],
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: own,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(allowed[command].map((key) => [key, options[key as keyof typeof options]])),
    });
  } catch (error) {
    // Node's text goes on about positional arguments; its first sentence is the point.
    throw new CliError(`${(error as Error).message.split('. ')[0].replace(/^Unknown/, 'unknown')} (gluon-ts ${command} --help)`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return help(command);
  const positionals = parsed.positionals;
  const maxPositionals = command === 'doctor' ? 0 : 1;
  if (positionals.length > maxPositionals) throw new CliError(`too many arguments: ${positionals.slice(maxPositionals).join(' ')} (gluon-ts ${command} --help)`);

  switch (command) {
    case 'create': {
      if (!positionals[0]) throw new CliError('which folder? gluon-ts create <dir>, e.g. gluon-ts create my-app');
      const { create } = await import('./create.js');
      create(positionals[0], { name: values.name as string | undefined, gluon: values.gluon as string | undefined, force: !!values.force }, log);
      return 0;
    }
    case 'dev': {
      const { dev } = await import('./dev.js');
      return dev({ dir: positionals[0] ?? '.', appArgs, out: values.out as string | undefined }, (line) => log(`[gluon-ts dev] ${line}`));
    }
    case 'build': {
      const { build } = await import('./build.js');
      await build({ dir: positionals[0] ?? '.', out: values.out as string | undefined, exe: !values['no-exe'], minify: !!values.minify }, log);
      return 0;
    }
    case 'install':
    case 'uninstall': {
      const cli = await import('./install.js');
      await cli[command]({ dir: positionals[0] ?? '.', out: values.out as string | undefined }, log);
      return 0;
    }
    case 'doctor': {
      const { doctor } = await import('./doctor.js');
      return doctor({ json: !!values.json });
    }
  }
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError) process.stderr.write(`gluon-ts: ${error.message}\n`);
    else process.stderr.write(`gluon-ts: ${(error as Error)?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
