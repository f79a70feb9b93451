// Apple's XML property lists (the format of Info.plist and launchd's agents), written from plain
// values: strings, integers, booleans, arrays and objects (dictionaries, keys in insertion order).
// Nothing is read back here; macOS's own `plutil` edits a bundle's Info.plist (mac-bundle.ts).

/** A value a property list can hold, as written here. */
export type PlistValue = string | number | boolean | readonly PlistValue[] | { readonly [key: string]: PlistValue };

/** Text escaped for an XML element or a double-quoted attribute. */
export const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function lines(value: PlistValue, indent: string): string[] {
  if (typeof value === 'string') return [`${indent}<string>${xmlText(value)}</string>`];
  if (typeof value === 'boolean') return [`${indent}<${value}/>`];
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`a property list integer must be a whole number, not ${value}`);
    return [`${indent}<integer>${value}</integer>`];
  }
  const inner = indent + '  ';
  if (Array.isArray(value)) return value.length ? [`${indent}<array>`, ...value.flatMap((item) => lines(item, inner)), `${indent}</array>`] : [`${indent}<array/>`];
  const entries = Object.entries(value as { [key: string]: PlistValue });
  if (!entries.length) return [`${indent}<dict/>`];
  return [`${indent}<dict>`, ...entries.flatMap(([key, item]) => [`${inner}<key>${xmlText(key)}</key>`, ...lines(item, inner)]), `${indent}</dict>`];
}

/** One value as a property list fragment (what `plutil -replace <key> -xml <fragment>` takes). */
export function plistFragment(value: PlistValue): string {
  return lines(value, '').join('\n');
}

/** A whole XML property list document holding `value` (usually a dictionary). */
export function plistDocument(value: PlistValue): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    plistFragment(value),
    '</plist>',
    '',
  ].join('\n');
}
