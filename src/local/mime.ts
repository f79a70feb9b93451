// Owns the extension -> Content-Type table used when serving an app's local files.
// Text types carry `; charset=utf-8`; anything unknown is served as raw bytes.

const UTF8 = '; charset=utf-8';

/** Extension (lower case, no dot) -> MIME type without parameters. */
const TYPES: ReadonlyMap<string, string> = new Map(Object.entries({
  // documents and code
  html: 'text/html',
  htm: 'text/html',
  xhtml: 'application/xhtml+xml',
  js: 'text/javascript',
  mjs: 'text/javascript',
  cjs: 'text/javascript',
  css: 'text/css',
  json: 'application/json',
  map: 'application/json',
  webmanifest: 'application/manifest+json',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  xml: 'application/xml',
  glsl: 'text/plain',
  vert: 'text/plain',
  frag: 'text/plain',
  wasm: 'application/wasm',
  // images
  svg: 'image/svg+xml',
  png: 'image/png',
  apng: 'image/apng',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  bmp: 'image/bmp',
  // fonts
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  eot: 'application/vnd.ms-fontobject',
  // audio and video
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  oga: 'audio/ogg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  ogv: 'video/ogg',
  vtt: 'text/vtt',
  // other
  pdf: 'application/pdf',
  zip: 'application/zip',
}));

/** Types that are text but do not start with `text/`. */
const TEXTUAL = new Set([
  'application/json',
  'application/manifest+json',
  'application/xml',
  'application/xhtml+xml',
  'image/svg+xml',
]);

/** The Content-Type to serve `path` with, chosen by its extension (case-insensitive). */
export function mimeTypeFor(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  const type = dot < 0 ? undefined : TYPES.get(name.slice(dot + 1).toLowerCase());
  if (type === undefined) return 'application/octet-stream';
  return type.startsWith('text/') || TEXTUAL.has(type) ? type + UTF8 : type;
}
