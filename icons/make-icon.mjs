// Draws icons/icon.png (128×128, the extension's marketplace icon) with plain Node: shapes are signed-distance
// functions sampled 4×4 per pixel, the PNG is written with zlib. Run `node icons/make-icon.mjs` after a change.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const size = 128;
const samples = 4;

/** Distance from (x, y) to a rounded rectangle (negative inside). */
function roundedRect(x, y, left, top, right, bottom, radius) {
  const cx = (left + right) / 2;
  const cy = (top + bottom) / 2;
  const qx = Math.abs(x - cx) - ((right - left) / 2 - radius);
  const qy = Math.abs(y - cy) - ((bottom - top) / 2 - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

/** The page: a sheet with its top-right corner folded away. */
function page(x, y) {
  const sheet = roundedRect(x, y, 30, 18, 98, 110, 7);
  const beyondFold = (x - 76 - (y - 18)) / Math.SQRT2; // positive beyond the line through (76,18) and (98,40)
  return Math.max(sheet, beyondFold);
}
/** The folded-over corner: the triangle (76,18), (76,40), (98,40). */
function fold(x, y) {
  return Math.max(76 - x, y - 40, y - 18 - (x - 76));
}

// Code lines on the page: [left, right, row, colour]
const lines = [
  [40, 58, 52, [0x3b, 0x82, 0xf6]], [62, 88, 52, [0x94, 0xa3, 0xb8]],
  [40, 72, 64, [0xa8, 0x55, 0xf7]], [76, 86, 64, [0x10, 0xb9, 0x81]],
  [46, 84, 76, [0xf5, 0x9e, 0x0b]],
  [40, 58, 88, [0x3b, 0x82, 0xf6]], [62, 80, 88, [0x94, 0xa3, 0xb8]],
];

/** Colour of one sample point, front to back; undefined = transparent. */
function shade(x, y) {
  for (const [left, right, row, colour] of lines) {
    if (roundedRect(x, y, left, row - 3, right, row + 3, 3) <= 0) return colour;
  }
  if (fold(x, y) <= 0 && page(x, y) > 0 && roundedRect(x, y, 30, 18, 98, 110, 7) <= 0) return [0xcb, 0xd5, 0xe1];
  if (page(x, y) <= 0) return [0xf8, 0xfa, 0xfc];
  if (roundedRect(x, y, 4, 4, 124, 124, 24) <= 0) {
    const t = (x + y) / (2 * size);
    return [Math.round(0x1e + (0x31 - 0x1e) * t), Math.round(0x29 + (0x2e - 0x29) * t), Math.round(0x3b + (0x81 - 0x3b) * t)];
  }
  return undefined;
}

const raw = Buffer.alloc((size * 4 + 1) * size);
for (let py = 0; py < size; py++) {
  raw[py * (size * 4 + 1)] = 0; // filter: none
  for (let px = 0; px < size; px++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < samples; sy++) {
      for (let sx = 0; sx < samples; sx++) {
        const c = shade(px + (sx + 0.5) / samples, py + (sy + 0.5) / samples);
        if (c) { r += c[0]; g += c[1]; b += c[2]; a += 1; }
      }
    }
    const o = py * (size * 4 + 1) + 1 + px * 4;
    raw[o] = a ? Math.round(r / a) : 0;
    raw[o + 1] = a ? Math.round(g / a) : 0;
    raw[o + 2] = a ? Math.round(b / a) : 0;
    raw[o + 3] = Math.round((255 * a) / (samples * samples));
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(fileURLToPath(new URL('icon.png', import.meta.url)), png);
