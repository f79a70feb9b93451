// The error a page's script threw, as evaluate() rejects with it on every engine: the page's
// error name and message, and the page's own stack below a marker line.

/** An Error named and worded as the page's, with `stackLines` (already `    at ...` lines) as its stack. */
export function pageError(name: string | undefined, message: string, stackLines: string): Error {
  const error = new Error(message);
  if (name) error.name = name;
  error.stack = `${error.name}: ${error.message}\n    --- the page's stack ---\n${stackLines}`;
  return error;
}
