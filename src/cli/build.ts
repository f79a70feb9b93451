// `gluon-ts build`: the app as a distributable in dist/ (or --out):
//   <entry>.mjs   the backend and everything it imports, gluon-ts included, in one file;
//                 run it with `node dist/main.mjs` beside the page folder it opens;
//   <ui>/         the page folder, TypeScript entries bundled and minified;
//   <name>        a single executable (Node's single-executable applications) with the page
//                 folder inside it, where this platform and Node allow, and postject is installed.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { assetsModule, BESIDE_THE_BUNDLE, buildBackend, buildPage, describeBuildError } from './bundle.js';
import { bundlePath, CliError, findProject, formatSize, loadEsbuild, outputFolder, type Project } from './project.js';
import { pngSize } from '../browser/icon.js';
import { windowClassFor } from '../browser/profile.js';
import { parseRegistrations, RegistrationError, type Registrations } from '../desktop/deep-links.js';
import { desktopValue, execArgument } from '../desktop/desktop-entry.js';
import { bundleIdFor, makeMacBundle, type MacBundle } from '../desktop/mac-bundle.js';
import { xmlText } from '../desktop/plist.js';

const run = promisify(execFile);

/** The fuse Node's single-executable support looks for (from Node's documentation). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export interface BuildOptions {
  dir: string;
  out?: string;
  /** Make the single executable too (default true). */
  exe: boolean;
  minify: boolean;
}

export interface BuildResult {
  bundle: string;
  ui?: string;
  executable?: string;
  /** The Linux desktop entry (on Linux). */
  desktopFile?: string;
  /** The app's icon, copied beside the executable (package.json's gluon.icon). */
  icon?: string;
  /** The shared-mime-info package of the app's own file types (on Linux, when it has some). */
  mimeFile?: string;
  /** The macOS app bundle, `<title>.app`, with the executable inside (on macOS). */
  appBundle?: string;
}

/** The app's schemes and file types (package.json's gluon.protocols and gluon.fileTypes), checked: a CliError says what is wrong. */
export function projectRegistrations(project: Project): Registrations {
  try {
    return parseRegistrations(project.packageJson.gluon, project.name);
  } catch (error) {
    if (error instanceof RegistrationError) throw new CliError(error.message);
    throw error;
  }
}

/**
 * A single executable: its page files are assets inside it, written out on the first start of
 * each build to a private per-user cache folder (XDG_CACHE_HOME or ~/.cache, ~/Library/Caches,
 * %LOCALAPPDATA%), under gluon-ts-apps/<name>-<hash of the files>, laid out as in the project.
 * Later starts reuse them. A folder in the shared temporary folder would let another user of
 * the machine plant page files, and it could not be removed on a signal exit anyway.
 */
function unpackedFromTheExecutable(name: string, files: string[], hash: string, entryDir: string): string {
  return `
import { getAsset as __gluonGetAsset } from 'node:sea';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
function cacheRoot() {
  if (process.platform === 'win32') return process.env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches');
  return process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
}
function unpack() {
  const root = join(cacheRoot(), 'gluon-ts-apps', ${JSON.stringify(`${name}-${hash}`)});
  if (!existsSync(join(root, '.complete'))) {
    const partial = root + '.partial-' + process.pid;
    mkdirSync(partial, { recursive: true, mode: 0o700 });
    for (const file of ${JSON.stringify(files)}) {
      const to = join(partial, file);
      mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
      writeFileSync(to, new Uint8Array(__gluonGetAsset(file)), { mode: 0o600 });
    }
    writeFileSync(join(partial, '.complete'), '');
    try {
      renameSync(partial, root);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another start of the app was first
    }
  }
  return join(root, ${JSON.stringify(entryDir)});
}
export const appDirectory = unpack();
`;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)]);
}

export async function build(options: BuildOptions, log: (line: string) => void): Promise<BuildResult> {
  const project = findProject(options.dir);
  const esbuild = await loadEsbuild(project);
  const outDir = outputFolder(project, options.out ?? 'dist', 'it is emptied first');
  const started = Date.now();
  const registrations = projectRegistrations(project);
  projectBundleId(project); // a bad gluon.appId stops the build on every platform, not only on a Mac
  const carried = { protocols: registrations.protocols, fileTypes: registrations.fileTypes };
  log(`gluon-ts build: ${project.name} (${relative(project.root, project.main)}${project.ui ? `, page folder ${relative(project.root, project.ui)}` : ''}) -> ${relative(process.cwd(), outDir) || '.'}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const outUi = project.ui ? join(outDir, relative(project.root, project.ui)) : undefined;
  const bundle = bundlePath(project, outDir, '.mjs');
  try {
    if (outUi) await buildPage(esbuild, project, outUi, { minify: options.minify, sourcemap: false });
    await buildBackend({ esbuild, project, outfile: bundle, format: 'esm', selfContained: true, minify: options.minify, assetsModule: assetsModule(BESIDE_THE_BUNDLE, project.name, carried) });
  } catch (error) {
    throw new CliError(`the build failed:\n${describeBuildError(error)}`);
  }
  const result: BuildResult = { bundle, ui: outUi };
  log(`  ${relative(outDir, bundle).padEnd(24)} ${formatSize(statSync(bundle).size).padStart(9)}  backend and gluon-ts in one file: node ${relative(process.cwd(), bundle)}`);
  if (outUi) {
    const files = listFiles(outUi);
    const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
    log(`  ${(relative(outDir, outUi) + '/').padEnd(24)} ${formatSize(bytes).padStart(9)}  the page, ${files.length} file${files.length === 1 ? '' : 's'}`);
  }

  if (options.exe) {
    const why = await singleExecutable(project, esbuild, outDir, outUi, options.minify, carried, log).catch((error: Error) => error);
    if (typeof why === 'string') result.executable = why;
    else log(`  (no single executable: ${why.message})`);
  }
  if (process.platform === 'linux') Object.assign(result, writeDesktopEntry(project, outDir, result, log, registrations));
  if (process.platform === 'darwin') {
    if (result.executable) Object.assign(result, await writeMacBundle(project, outDir, result, log, registrations));
    else log('  (no macOS app bundle: it is made around the single executable)');
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** What a desktop entry says of the app (see desktopEntry). */
export interface DesktopEntry {
  /** The app's name as the desktop shows it. */
  title: string;
  comment?: string;
  /** The program and its arguments (absolute paths); the launcher's %U (the links and files to open) is added. */
  exec: string[];
  /** The icon: an absolute path, or a name in the icon theme. */
  icon?: string;
  windowClass: string;
  registrations: Registrations;
}

/**
 * The text of a .desktop file (Desktop Entry Specification). Exec ends with `%U`: a launcher
 * (and xdg-open) passes a link of the app's schemes, or one or more files, as arguments of one
 * start (%u would start the app once per item, %F would pass no URLs); launchers pass files as
 * paths or as file: URLs, and the app reads both. `MimeType` lists `x-scheme-handler/<scheme>`
 * for each scheme, then each file type's MIME type.
 */
export function desktopEntry(entry: DesktopEntry): string {
  const { registrations } = entry;
  const mimeTypes = [...new Set([...registrations.protocols.map((scheme) => `x-scheme-handler/${scheme}`), ...registrations.fileTypes.map((type) => type.mimeType)])];
  const opens = mimeTypes.length > 0;
  const lines = [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${desktopValue(entry.title)}`,
    ...(entry.comment ? [`Comment=${desktopValue(entry.comment)}`] : []),
    `Exec=${entry.exec.map(execArgument).join(' ')}${opens ? ' %U' : ''}`,
    ...(entry.icon ? [`Icon=${desktopValue(entry.icon)}`] : []),
    'Terminal=false',
    `StartupWMClass=${desktopValue(entry.windowClass)}`,
    'Categories=Utility;',
    ...(opens ? [`MimeType=${mimeTypes.map(desktopValue).join(';')};`] : []),
  ];
  return lines.join('\n') + '\n';
}

/**
 * The shared-mime-info package (freedesktop.org Shared MIME-info Database) of the app's own file
 * types, those package.json gives no mimeType for: each MIME type with its name and a `*.<ext>`
 * glob per extension. Undefined when the app has none.
 */
export function mimePackage(registrations: Registrations): string | undefined {
  const own = registrations.fileTypes.filter((type) => type.ownMimeType);
  if (!own.length) return undefined;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">',
    ...own.flatMap((type) => [
      `  <mime-type type="${xmlText(type.mimeType)}">`,
      `    <comment>${xmlText(type.name)}</comment>`,
      ...type.extensions.map((ext) => `    <glob pattern="*.${xmlText(ext)}"/>`),
      '  </mime-type>',
    ]),
    '</mime-info>',
  ].join('\n') + '\n';
}

/** The app's name as a desktop shows it: package.json's productName, else its name. */
export function projectTitle(project: Project): string {
  return typeof project.packageJson.productName === 'string' && project.packageJson.productName.trim() ? project.packageJson.productName.trim() : project.name;
}

/** package.json's `"gluon": { "icon": "icon.png" }`, read and checked as a PNG; a CliError says what is wrong. */
export function projectIcon(project: Project): { path: string; bytes: Buffer; width: number; height: number } | undefined {
  const iconSource = project.packageJson.gluon?.icon;
  if (iconSource === undefined) return undefined;
  const path = resolve(project.root, String(iconSource));
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CliError(`package.json's gluon.icon: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}); give the path of a PNG file, relative to package.json`);
  }
  try {
    return { path, bytes, ...pngSize(bytes, `package.json's gluon.icon (${path})`) };
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/** The macOS bundle identifier: package.json's `gluon.appId`, checked, else one made from the name; a CliError says what is wrong. */
export function projectBundleId(project: Project): string {
  try {
    return bundleIdFor(windowClassFor(project.name), project.packageJson.gluon?.appId);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/**
 * The macOS app bundle of the built app, `<title>.app` in the output folder, made around the
 * single executable (moved into it): its Info.plist declares the app's schemes and file types,
 * and a launcher hands links and files to the app as arguments (src/desktop/mac-bundle.ts).
 */
export async function writeMacBundle(project: Project, outDir: string, result: BuildResult, log: (line: string) => void, registrations: Registrations = projectRegistrations(project)): Promise<Pick<BuildResult, 'appBundle' | 'executable'>> {
  if (!result.executable) throw new CliError('the app bundle is made around the single executable, which this build has not made');
  const bundleId = projectBundleId(project);
  const icon = projectIcon(project);
  let bundle: MacBundle;
  try {
    bundle = await makeMacBundle({
      outDir,
      title: projectTitle(project),
      bundleId,
      version: typeof project.packageJson.version === 'string' ? project.packageJson.version : '0.0.0',
      executable: result.executable,
      icon: icon && { bytes: icon.bytes, width: icon.width, height: icon.height },
      registrations,
      workDir: join(project.root, '.gluon', 'build'),
    });
  } catch (error) {
    throw new CliError(`the app bundle could not be made: ${(error as Error).message}`);
  }
  const opens = [...registrations.protocols.map((scheme) => `${scheme}://`), ...registrations.fileTypes.flatMap((type) => type.extensions.map((ext) => `.${ext}`))];
  log(`  ${(relative(outDir, bundle.app) + '/').padEnd(24)} ${''.padStart(9)}  macOS app bundle (${bundleId}), the executable inside${opens.length ? `, opens ${opens.join(' ')}` : ''}`);
  for (const note of bundle.notes) log(`  note: ${note}`);
  return { appBundle: bundle.app, executable: bundle.executable };
}

/**
 * The Linux desktop entry of the built app, `<class>.desktop` beside the executable, and its icon
 * (package.json's `"gluon": { "icon": "icon.png" }`) copied as `<class>.png`: the desktop shows
 * the app's name and icon, and groups its windows under it (StartupWMClass is the window class
 * open() gives the browser, from the same package.json name). With schemes or file types, the
 * entry lists them (MimeType) and the app's own file types go into `<class>-mime.xml`. Exec and
 * Icon are absolute paths of this build: `gluon-ts install` registers them for the user.
 */
export function writeDesktopEntry(project: Project, outDir: string, result: BuildResult, log: (line: string) => void, registrations: Registrations = projectRegistrations(project)): Pick<BuildResult, 'desktopFile' | 'icon' | 'mimeFile'> {
  const windowClass = windowClassFor(project.name);
  const title = projectTitle(project);
  const source = projectIcon(project);
  let icon: string | undefined;
  if (source) {
    icon = join(outDir, `${windowClass}.png`);
    copyFileSync(source.path, icon);
  }
  const description = typeof project.packageJson.description === 'string' ? project.packageJson.description.trim() : '';
  const desktopFile = join(outDir, `${windowClass}.desktop`);
  writeFileSync(desktopFile, desktopEntry({
    title,
    comment: description || undefined,
    exec: result.executable ? [result.executable] : [process.execPath, result.bundle],
    icon,
    windowClass,
    registrations,
  }));
  const opens = [...registrations.protocols.map((scheme) => `${scheme}://`), ...registrations.fileTypes.flatMap((type) => type.extensions.map((ext) => `.${ext}`))];
  log(`  ${relative(outDir, desktopFile).padEnd(24)} ${''.padStart(9)}  Linux desktop entry (StartupWMClass=${windowClass})${icon ? `, icon ${relative(outDir, icon)}` : ''}${opens.length ? `, opens ${opens.join(' ')}` : ''}`);
  const xml = mimePackage(registrations);
  let mimeFile: string | undefined;
  if (xml) {
    mimeFile = join(outDir, `${windowClass}-mime.xml`);
    writeFileSync(mimeFile, xml);
    log(`  ${relative(outDir, mimeFile).padEnd(24)} ${''.padStart(9)}  the app's own file types (shared-mime-info)`);
  }
  return { desktopFile, icon, mimeFile };
}

/** Builds the single executable; returns its path, or throws an Error saying why it cannot. */
async function singleExecutable(project: Project, esbuild: Awaited<ReturnType<typeof loadEsbuild>>, outDir: string, outUi: string | undefined, minify: boolean, carried: Registrations, log: (line: string) => void): Promise<string> {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 12)) throw new Error(`Node ${process.version} cannot embed the page in one (needs Node 20.12 or newer)`);
  let postjectCli: string;
  try {
    const requireFromApp = createRequire(join(project.root, 'package.json'));
    const manifest = requireFromApp.resolve('postject/package.json');
    postjectCli = join(dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin?.postject ?? 'dist/cli.js');
  } catch {
    throw new Error('it needs postject, which writes the app into a copy of node: npm install --save-dev postject');
  }
  const work = join(project.root, '.gluon', 'build');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const assets: Record<string, string> = {};
  const files: string[] = [];
  if (outUi) {
    for (const file of listFiles(outUi)) {
      const key = relative(outDir, file).split('\\').join('/');
      assets[key] = file;
      files.push(key);
    }
  }
  const entryDir = relative(project.root, dirname(project.main)).split('\\').join('/');
  const digest = createHash('sha256');
  for (const key of files) digest.update(key).update('\0').update(readFileSync(assets[key])).update('\0');
  const hash = digest.digest('hex').slice(0, 12);
  const main = join(work, 'app.cjs');
  try {
    // Node 20's single executables run one CommonJS file.
    await buildBackend({ esbuild, project, outfile: main, format: 'cjs', selfContained: true, minify, assetsModule: assetsModule(unpackedFromTheExecutable(project.name, files, hash, entryDir), project.name, carried) });
  } catch (error) {
    const text = describeBuildError(error);
    throw new Error(/top-level await/i.test(text)
      ? 'Node 20 single executables run CommonJS, which has no top-level await: wrap the backend\'s code in an async function (as the create template does)'
      : `the CommonJS build failed: ${text}`);
  }
  const blob = join(work, 'app.blob');
  const config = join(work, 'sea-config.json');
  writeFileSync(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, assets }, null, 2));
  await run(process.execPath, ['--experimental-sea-config', config], { cwd: work });
  let exe = join(outDir, project.name + (process.platform === 'win32' ? '.exe' : ''));
  if (existsSync(exe)) exe = join(outDir, `${project.name}-app${process.platform === 'win32' ? '.exe' : ''}`); // a page folder of that name
  copyFileSync(process.execPath, exe);
  chmodSync(exe, 0o755);
  if (process.platform === 'darwin') await run('codesign', ['--remove-signature', exe]);
  try {
    await run(process.execPath, [postjectCli, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE,
      ...(process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [])], { maxBuffer: 16 << 20 });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`postject could not write the app into ${exe}: ${(stderr || stdout || String(error)).trim().split('\n').slice(-5).join('\n')}`);
  }
  if (process.platform === 'darwin') await run('codesign', ['--sign', '-', exe]);
  log(`  ${relative(outDir, exe).padEnd(24)} ${formatSize(statSync(exe).size).padStart(9)}  single executable with the page inside (Node ${process.version} + the app): ${relative(process.cwd(), exe)}`);
  return exe;
}
