// The macOS app bundle `gluon-ts build` makes around the single executable, so the app has a name
// and an icon in the Finder and the Dock, and answers its `myapp://` links and its file types.
// Untried on a real Mac: these are the steps and texts as Apple documents them, checked on Linux
// by what they would run (a faked command runner) and what they write.
//
// Why a launcher: macOS does not hand a link to the program it starts on the command line, but as
// an Apple event ("open location", "open documents") to the bundle's main executable, which Node
// cannot receive. So the bundle's main executable is an AppleScript applet (osacompile), a fixed
// script that starts the app's executable (Contents/MacOS/<name>, named by the Info.plist key
// GluonTsExecutable) with NSTask, passing the link or the files' paths as arguments: no shell ever
// reads them. The app then sees them on its command line, as on Linux and Windows: the first start
// delivers them as `open-url` / `open-file`, a later one hands them to the first through the
// single-instance lock. The applet is not "stay open": it quits once the app has started.
//
// <Title>.app/Contents/
//   Info.plist          osacompile's, edited with plutil: identifier, names, version, the
//                       schemes (CFBundleURLTypes), the file types (CFBundleDocumentTypes, and
//                       UTExportedTypeDeclarations for the app's own), GluonTsExecutable
//   MacOS/applet        the launcher (osacompile's)
//   MacOS/<name>        the single executable
//   Resources/applet.icns  the app's icon (from its PNG), when it has one of an icns size
// Then `codesign --force --deep --sign -` signs the whole bundle ad hoc (editing Info.plist broke
// osacompile's signature; Apple Silicon runs nothing unsigned). Sign it again with a Developer ID
// to ship it.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runCommand } from './command.js';
import type { Registrations } from './deep-links.js';
import { plistFragment, type PlistValue } from './plist.js';

/**
 * The launcher's AppleScript, fixed text: `run` (the app opened from the Finder or the Dock),
 * `open location` (a link of one of its schemes) and `open` (files dropped on it or opened with
 * it) each start the app's executable with what they were given as its arguments.
 */
export const LAUNCHER_SCRIPT = `use AppleScript version "2.5"
use framework "Foundation"
use scripting additions

on run
\tstartApp({})
end run

on open location theURL
\tstartApp({theURL})
end open location

on open theItems
\tset thePaths to {}
\trepeat with theItem in theItems
\t\tset end of thePaths to POSIX path of theItem
\tend repeat
\tstartApp(thePaths)
end open

on startApp(theArguments)
\tset theBundle to current application's NSBundle's mainBundle()
\tset theName to theBundle's objectForInfoDictionaryKey:"GluonTsExecutable"
\tset theFolder to theBundle's bundlePath()'s stringByAppendingPathComponent:"Contents/MacOS"
\tset theTask to current application's NSTask's alloc()'s init()
\ttheTask's setExecutableURL:(current application's |NSURL|'s fileURLWithPath:(theFolder's stringByAppendingPathComponent:theName))
\ttheTask's setArguments:theArguments
\tset {started, theError} to theTask's launchAndReturnError:(reference)
\tif not (started as boolean) then error (theError's localizedDescription() as text)
end startApp
`;

/** The icns types that hold a PNG of each size (Apple's icns format; PNG data since macOS 10.7). */
const ICNS_PNG_TYPES = new Map([[16, 'icp4'], [32, 'icp5'], [64, 'icp6'], [128, 'ic07'], [256, 'ic08'], [512, 'ic09'], [1024, 'ic10']]);

/** The icon sizes an app bundle's icon can be made from. */
export const ICNS_SIZES = [...ICNS_PNG_TYPES.keys()];

/**
 * An .icns file holding one PNG: the 'icns' header (magic, total length) and one element (its
 * type, its length with its 8-byte header, the PNG's bytes), lengths big-endian. Undefined when
 * the PNG is not square or not one of the sizes icns holds as PNG ({@link ICNS_SIZES}).
 */
export function icnsFromPng(png: Uint8Array, size: { width: number; height: number }): Buffer | undefined {
  const type = size.width === size.height ? ICNS_PNG_TYPES.get(size.width) : undefined;
  if (!type) return undefined;
  const out = Buffer.alloc(16 + png.length);
  out.write('icns', 0, 'latin1');
  out.writeUInt32BE(out.length, 4);
  out.write(type, 8, 'latin1');
  out.writeUInt32BE(8 + png.length, 12);
  out.set(png, 16);
  return out;
}

/** A bundle identifier is letters, digits, '-' and '.' (Apple's CFBundleIdentifier), two parts at least. */
const BUNDLE_ID = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/**
 * The app's bundle identifier: package.json's `gluon.appId` ("com.example.notes") when given,
 * else `gluon-ts.app.<id>` with what a bundle identifier cannot hold turned into '-'. Throws,
 * saying what to write, for an appId that is not one.
 */
export function bundleIdFor(id: string, given?: unknown): string {
  if (given !== undefined) {
    if (typeof given !== 'string' || !BUNDLE_ID.test(given)) {
      throw new TypeError(`package.json's gluon.appId is ${JSON.stringify(given)}: write a reverse-DNS name of letters, digits, '-' and '.', such as "com.example.notes"`);
    }
    return given;
  }
  return `gluon-ts.app.${id.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'app'}`;
}

/** The bundle's folder name, `<title>.app`, with what a file name cannot hold ('/', ':') turned into '-'. */
export function bundleFolderName(title: string): string {
  return `${title.replace(/[/:\0]/g, '-').replace(/^\.+/, '') || 'app'}.app`;
}

/** What the bundle is made of. */
export interface MacBundleInput {
  /** Where the bundle goes (the build's output folder). */
  outDir: string;
  /** The app's name as the Finder shows it (package.json's productName, else its name). */
  title: string;
  bundleId: string;
  /** package.json's version. */
  version: string;
  /** The single executable, moved into the bundle. */
  executable: string;
  /** The app's PNG icon and its size. */
  icon?: { bytes: Uint8Array; width: number; height: number };
  registrations: Registrations;
  /** A scratch folder for the launcher's script. */
  workDir: string;
}

/** What {@link makeMacBundle} made. */
export interface MacBundle {
  /** The bundle: `<outDir>/<title>.app`. */
  app: string;
  /** The single executable, now inside it. */
  executable: string;
  /** The commands run, each as program and arguments. */
  ran: string[][];
  /** What could not be done. */
  notes: string[];
}

/**
 * The Info.plist entries gluon-ts sets in the applet's own Info.plist, in order: the bundle's
 * identity, where the launcher finds the app, its schemes and its file types. A type the system
 * already knows (one given a mimeType) is declared by its extensions and MIME type with the rank
 * `Alternate`, so the user's default program for it stays theirs (as on Linux); the app's own
 * types are exported as uniform type identifiers `<bundleId>.<extension>` that the app owns.
 */
export function infoPlistEntries(input: Pick<MacBundleInput, 'title' | 'bundleId' | 'version' | 'executable' | 'registrations'>): [string, PlistValue][] {
  const { registrations, bundleId } = input;
  const ownType = (extension: string) => `${bundleId}.${extension.replace(/[^A-Za-z0-9-]+/g, '-')}`;
  const entries: [string, PlistValue][] = [
    ['CFBundleIdentifier', bundleId],
    ['CFBundleName', Array.from(input.title).slice(0, 15).join('')], // Apple: under 16 characters
    ['CFBundleDisplayName', input.title],
    ['CFBundleShortVersionString', input.version],
    ['CFBundleVersion', input.version],
    ['GluonTsExecutable', basename(input.executable)],
  ];
  if (registrations.protocols.length) {
    entries.push(['CFBundleURLTypes', [{ CFBundleURLName: bundleId, CFBundleTypeRole: 'Viewer', CFBundleURLSchemes: registrations.protocols }]]);
  }
  if (registrations.fileTypes.length) {
    entries.push(['CFBundleDocumentTypes', registrations.fileTypes.map((type) => ({
      CFBundleTypeName: type.name,
      CFBundleTypeRole: 'Editor',
      LSHandlerRank: type.ownMimeType ? 'Owner' : 'Alternate',
      CFBundleTypeExtensions: type.extensions,
      CFBundleTypeMIMETypes: [type.mimeType],
      ...(type.ownMimeType ? { LSItemContentTypes: type.extensions.map(ownType) } : {}),
    }))]);
    const own = registrations.fileTypes.filter((type) => type.ownMimeType);
    if (own.length) {
      entries.push(['UTExportedTypeDeclarations', own.flatMap((type) => type.extensions.map((extension) => ({
        UTTypeIdentifier: ownType(extension),
        UTTypeDescription: type.name,
        UTTypeConformsTo: ['public.data'],
        UTTypeTagSpecification: { 'public.filename-extension': [extension], 'public.mime-type': [type.mimeType] },
      })))]);
    }
  }
  return entries;
}

/**
 * The macOS tools the bundle is made and installed with, as absolute paths: a build's PATH may
 * lack /usr/bin, and Launch Services' lsregister is on no PATH.
 */
export const MAC_TOOLS = {
  osacompile: '/usr/bin/osacompile',
  plutil: '/usr/bin/plutil',
  codesign: '/usr/bin/codesign',
  ditto: '/usr/bin/ditto',
  osascript: '/usr/bin/osascript',
  lsregister: '/System/Library/Frameworks/CoreServices.framework/Frameworks/LaunchServices.framework/Support/lsregister',
};

/**
 * Makes `<outDir>/<title>.app` (see the module's head) and moves the single executable into it.
 * Throws, saying which step failed and its output, if a tool fails; the executable is then left
 * where it was.
 */
export async function makeMacBundle(input: MacBundleInput): Promise<MacBundle> {
  const app = join(input.outDir, bundleFolderName(input.title));
  const ran: string[][] = [];
  const notes: string[] = [];
  const step = async (file: string, args: string[]) => {
    ran.push([file, ...args]);
    const result = await runCommand(file, args, { timeout: 60_000 });
    if (result.code !== 0) throw new Error(`${basename(file)} ${args[0]} failed (exit ${result.code ?? result.signal}): ${result.stderr.trim() || '(no output)'}`);
  };
  rmSync(app, { recursive: true, force: true });
  mkdirSync(input.workDir, { recursive: true });
  const script = join(input.workDir, 'launcher.applescript');
  writeFileSync(script, LAUNCHER_SCRIPT);
  await step(MAC_TOOLS.osacompile, ['-l', 'AppleScript', '-o', app, script]);
  const plist = join(app, 'Contents', 'Info.plist');
  for (const [key, value] of infoPlistEntries(input)) await step(MAC_TOOLS.plutil, ['-replace', key, '-xml', plistFragment(value), plist]);
  if (input.icon) {
    const icns = icnsFromPng(input.icon.bytes, input.icon);
    if (icns) {
      writeFileSync(join(app, 'Contents', 'Resources', 'applet.icns'), icns);
      // A newer osacompile also names an icon in an asset catalog, which would win over the file.
      ran.push([MAC_TOOLS.plutil, '-remove', 'CFBundleIconName', plist]);
      await runCommand(MAC_TOOLS.plutil, ['-remove', 'CFBundleIconName', plist], { timeout: 60_000 }); // absent: nothing to remove
    } else {
      notes.push(`the icon is ${input.icon.width}x${input.icon.height}: an app bundle's icon is made from a square PNG of ${ICNS_SIZES.join(', ')} pixels, so the bundle keeps the launcher's`);
    }
  }
  const executable = join(app, 'Contents', 'MacOS', basename(input.executable));
  renameSync(input.executable, executable);
  try {
    await step(MAC_TOOLS.codesign, ['--force', '--deep', '--sign', '-', app]);
  } catch (error) {
    renameSync(executable, input.executable);
    throw error;
  }
  return { app, executable, ran, notes };
}
