// `gluon-ts install [dir]` and `gluon-ts uninstall [dir]`: the built app (gluon-ts build's
// output folder) registered with the user's desktop, and removed again (src/desktop/install.ts).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pngSize } from '../browser/icon.js';
import { windowClassFor } from '../browser/profile.js';
import { installForUser, uninstallForUser, type InstallInput, type InstallPlace, type InstallReport } from '../desktop/install.js';
import { bundleFolderName } from '../desktop/mac-bundle.js';
import { projectBundleId, projectRegistrations, projectTitle } from './build.js';
import { bundlePath, CliError, findProject } from './project.js';

export interface InstallOptions {
  dir: string;
  /** The build's output folder (default dist). */
  out?: string;
}

const here: () => InstallPlace = () => ({ platform: process.platform, env: process.env, home: homedir() });

/** What install needs, read from the project and its build. */
export function builtApp(options: InstallOptions, platform: NodeJS.Platform = process.platform): InstallInput {
  const project = findProject(options.dir);
  const outDir = resolve(project.root, options.out ?? 'dist');
  const id = windowClassFor(project.name);
  const title = projectTitle(project);
  const input: InstallInput = { id, title, exec: [], registrations: projectRegistrations(project) };
  if (platform === 'darwin') {
    const appBundle = join(outDir, bundleFolderName(title));
    if (!existsSync(join(appBundle, 'Contents', 'Info.plist'))) throw new CliError(`no app bundle ${appBundle}: run gluon-ts build on macOS (with postject installed, for the single executable the bundle holds) first`);
    input.appBundle = appBundle;
    input.bundleId = projectBundleId(project);
    const inside = [project.name, `${project.name}-app`].map((name) => join(appBundle, 'Contents', 'MacOS', name)); // as the build named it
    input.exec = [inside.find((path) => existsSync(path)) ?? inside[0]];
    return input;
  }
  const exe = join(outDir, project.name + (platform === 'win32' ? '.exe' : ''));
  const bundle = bundlePath(project, outDir, '.mjs');
  if (!existsSync(exe) && !existsSync(bundle)) throw new CliError(`no build of ${project.name} in ${outDir}: run gluon-ts build first`);
  input.exec = existsSync(exe) ? [exe] : [process.execPath, bundle];
  if (platform === 'linux') {
    const desktopFile = join(outDir, `${id}.desktop`);
    if (!existsSync(desktopFile)) throw new CliError(`no desktop entry ${desktopFile}: run gluon-ts build (on Linux) first`);
    input.desktopFile = desktopFile;
    const icon = join(outDir, `${id}.png`);
    if (existsSync(icon)) input.icon = { path: icon, ...pngSize(readFileSync(icon), icon) };
    const mimeFile = join(outDir, `${id}-mime.xml`);
    if (existsSync(mimeFile)) input.mimeFile = mimeFile;
  }
  return input;
}

function tell(report: InstallReport, verb: string, log: (line: string) => void): void {
  for (const file of report.files) log(`  ${verb} ${relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file)}`);
  for (const command of report.ran) log(`  ran ${command.map((arg) => (arg.includes('\n') ? '<script>' : arg)).join(' ')}`); // a script as an argument is fixed text
  for (const note of report.notes) log(`  note: ${note}`);
}

export async function install(options: InstallOptions, log: (line: string) => void, place: InstallPlace = here()): Promise<void> {
  const input = builtApp(options, place.platform);
  log(`gluon-ts install: ${input.title} for this user${input.registrations.protocols.length ? `, handler of ${input.registrations.protocols.map((scheme) => `${scheme}://`).join(' ')}` : ''}`);
  tell(await installForUser(input, place), 'wrote', log);
}

export async function uninstall(options: InstallOptions, log: (line: string) => void, place: InstallPlace = here()): Promise<void> {
  const project = findProject(options.dir);
  const id = windowClassFor(project.name);
  log(`gluon-ts uninstall: ${id} for this user`);
  const input = place.platform === 'win32' ? builtApp(options, place.platform) : undefined;
  tell(await uninstallForUser(id, place, input), 'removed', log);
}
