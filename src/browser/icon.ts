// The app's icon as the browsers and the desktop take it: a PNG file, checked and measured here
// (window/identity.ts for open(), cli/build.ts for the .desktop file).

/** A PNG's width and height from its header; throws if `bytes` is not a PNG. */
export function pngSize(bytes: Uint8Array, what: string): { width: number; height: number } {
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < 24 || signature.some((byte, i) => view[i] !== byte) || view.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error(`${what} is not a PNG file. Give the path of a .png image (a square one of 64 to 256 pixels suits every desktop).`);
  }
  return { width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
}

