// The text of a freedesktop.org desktop entry (.desktop file): how a value and an Exec argument
// are written (Desktop Entry Specification, "Possible value types" and "The Exec key"). Shared by
// `gluon-ts build`'s entry beside the built app and the autostart entry (src/desktop/autostart.ts).

/**
 * One argument of an Exec line: quoted when it holds anything but plain characters, with `"`,
 * `` ` ``, `$` and `\` escaped inside the quotes; then, as in every string value, `\` is
 * doubled; `%` is a field code, so a literal one is `%%`.
 */
export function execArgument(arg: string): string {
  const quoted = /^[A-Za-z0-9_/.+,:@=-]+$/.test(arg) ? arg : `"${arg.replace(/["`$\\]/g, '\\$&')}"`;
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

/** An Exec line's value for a command (program first), each argument quoted by {@link execArgument}. */
export const execLine = (argv: readonly string[]): string => argv.map(execArgument).join(' ');

/** A string value of a desktop entry: one line (`\`, newline, return and tab escaped). */
export const desktopValue = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
