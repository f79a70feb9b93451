// Tests for src/local/mime.ts: the extension -> Content-Type table.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mimeTypeFor } from '../../src/local/mime.js';

test('mimeTypeFor: common web types, text ones with charset', () => {
  const cases: Array<[string, string]> = [
    ['index.html', 'text/html; charset=utf-8'],
    ['a.htm', 'text/html; charset=utf-8'],
    ['app.js', 'text/javascript; charset=utf-8'],
    ['mod.mjs', 'text/javascript; charset=utf-8'],
    ['old.cjs', 'text/javascript; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
    ['data.json', 'application/json; charset=utf-8'],
    ['app.js.map', 'application/json; charset=utf-8'],
    ['notes.txt', 'text/plain; charset=utf-8'],
    ['README.md', 'text/markdown; charset=utf-8'],
    ['feed.xml', 'application/xml; charset=utf-8'],
    ['t.csv', 'text/csv; charset=utf-8'],
    ['shader.glsl', 'text/plain; charset=utf-8'],
    ['logo.svg', 'image/svg+xml; charset=utf-8'],
    ['site.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['a.png', 'image/png'],
    ['a.jpg', 'image/jpeg'],
    ['a.jpeg', 'image/jpeg'],
    ['a.gif', 'image/gif'],
    ['a.webp', 'image/webp'],
    ['a.avif', 'image/avif'],
    ['favicon.ico', 'image/x-icon'],
    ['a.bmp', 'image/bmp'],
    ['f.woff', 'font/woff'],
    ['f.woff2', 'font/woff2'],
    ['f.ttf', 'font/ttf'],
    ['f.otf', 'font/otf'],
    ['f.eot', 'application/vnd.ms-fontobject'],
    ['m.wasm', 'application/wasm'],
    ['s.mp3', 'audio/mpeg'],
    ['v.mp4', 'video/mp4'],
    ['v.webm', 'video/webm'],
    ['s.ogg', 'audio/ogg'],
    ['s.wav', 'audio/wav'],
    ['s.flac', 'audio/flac'],
    ['s.m4a', 'audio/mp4'],
    ['d.pdf', 'application/pdf'],
    ['d.zip', 'application/zip'],
  ];
  for (const [path, type] of cases) assert.equal(mimeTypeFor(path), type, path);
});

test('mimeTypeFor: case-insensitive, uses the last extension of the last segment', () => {
  assert.equal(mimeTypeFor('/A/B/INDEX.HTML'), 'text/html; charset=utf-8');
  assert.equal(mimeTypeFor('Photo.JPeG'), 'image/jpeg');
  assert.equal(mimeTypeFor('/dir.js/file'), 'application/octet-stream');
  assert.equal(mimeTypeFor('C:\\x\\y.css'), 'text/css; charset=utf-8');
  assert.equal(mimeTypeFor('archive.tar.gz'), 'application/octet-stream');
});

test('mimeTypeFor: unknown or missing extension -> application/octet-stream', () => {
  assert.equal(mimeTypeFor('Makefile'), 'application/octet-stream');
  assert.equal(mimeTypeFor('x.unknownext'), 'application/octet-stream');
  assert.equal(mimeTypeFor('x.'), 'application/octet-stream');
  assert.equal(mimeTypeFor('x.constructor'), 'application/octet-stream');
  assert.equal(mimeTypeFor('x.__proto__'), 'application/octet-stream');
});
