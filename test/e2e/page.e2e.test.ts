// Window.page beyond eval: printToPDF with Gluon's options, screenshots, and the window size
// asked for at open(), on each engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { ENGINE, openFixture, waitFor } from './helpers.js';

/** Page sizes (in points) of a PDF's pages, in order, read from its /MediaBox entries. */
function pdfPages(pdf: Buffer): { width: number; height: number }[] {
  // Page objects may sit in compressed object streams: inflate every stream we can, then look.
  let text = pdf.toString('latin1');
  for (const match of text.matchAll(/stream\r?\n/g)) {
    const start = match.index! + match[0].length;
    const end = text.indexOf('endstream', start);
    try {
      text += inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      // not a deflated stream
    }
  }
  // Each page object's /MediaBox sits in the same dictionary as its /Type /Page, just after
  // (Skia) or a few entries further (cairo, inside object streams, with no `endobj`).
  const sizes = [...text.matchAll(/\/Type\s*\/Page(?![s\w])/g)]
    .map((page) => /\/MediaBox\s*\[\s*([\d.-]+)\s+([\d.-]+)\s+([\d.-]+)\s+([\d.-]+)\s*\]/.exec(text.slice(page.index, page.index + 600)))
    .filter((box): box is RegExpExecArray => box !== null)
    .map((box) => ({ width: Number(box[3]) - Number(box[1]), height: Number(box[4]) - Number(box[2]) }));
  return sizes;
}

test(`printToPDF returns a PDF Buffer and honours paper size, orientation and page ranges (${ENGINE})`, async () => {
  const win = await openFixture('app/print.html');
  try {
    await win.page.loaded;
    const all = await win.page.printToPDF();
    assert.ok(Buffer.isBuffer(all));
    assert.equal(all.subarray(0, 5).toString('latin1'), '%PDF-');
    const pages = pdfPages(all);
    assert.equal(pages.length, 3, 'three sections, three pages');
    assert.ok(Math.abs(pages[0].width - 612) < 2 && Math.abs(pages[0].height - 792) < 2, `letter by default: ${JSON.stringify(pages[0])}`);

    const landscape = pdfPages(await win.page.printToPDF({ landscape: true, paperWidth: 8.27, paperHeight: 11.69, margins: { top: 0, bottom: 0, left: 0, right: 0 }, printBackground: true }));
    assert.ok(landscape.length >= 1);
    assert.ok(Math.abs(landscape[0].width - 842) < 2 && Math.abs(landscape[0].height - 595) < 2, `A4 landscape: ${JSON.stringify(landscape[0])}`);

    assert.equal(pdfPages(await win.page.printToPDF({ pageRanges: '2-3' })).length, 2);
    assert.equal(pdfPages(await win.page.printToPDF({ pageRanges: '1, 3' })).length, 2);
  } finally {
    await win.close();
  }
});

test(`windowSize sets the window's size, and screenshot() returns a PNG of the page (${ENGINE})`, async () => {
  const win = await openFixture('app', { windowSize: [700, 450] });
  try {
    await waitFor(win, 'window.moduleResult');
    const size = await win.page.eval<{ outer: number[]; inner: number[]; dpr: number }>(
      '({ outer: [outerWidth, outerHeight], inner: [innerWidth, innerHeight], dpr: devicePixelRatio })',
    );
    assert.deepEqual(size.outer, [700, 450]);
    const png = Buffer.from(await win.page.screenshot());
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    assert.equal(width, Math.round(size.inner[0] * size.dpr));
    assert.equal(height, Math.round(size.inner[1] * size.dpr));
  } finally {
    await win.close();
  }
});
