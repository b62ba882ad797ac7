import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { PennyError } from '../../contract/errors.js';
import type { Box, RgbImage } from './types.js';

/**
 * Pure-JS image handling, so nothing needs canvas or native image libraries. Only JPEG and PNG are
 * decoded here; video frames are extracted by ffmpeg as JPEG first (frames.ts).
 */
export function decodeImage(bytes: Uint8Array, label = 'image'): RgbImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  try {
    if (buf.length >= 8 && buf[0] === 0x89 && buf.toString('latin1', 1, 4) === 'PNG') {
      const png = PNG.sync.read(buf);
      ({ width, height } = png);
      rgba = png.data;
    } else if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) {
      // maxMemoryUsageInMB guards against a crafted JPEG that claims enormous dimensions.
      const j = jpeg.decode(buf, { useTArray: true, maxMemoryUsageInMB: 512, formatAsRGBA: true });
      ({ width, height } = j);
      rgba = j.data;
    } else {
      throw new PennyError('invalid_input', `${label} is not a JPEG or PNG file.`, { field: 'image', source: label });
    }
  } catch (err) {
    if (err instanceof PennyError) throw err;
    throw new PennyError('invalid_input', `${label} could not be decoded: ${(err as Error).message}`, { field: 'image', source: label });
  }
  if (width < 16 || height < 16) {
    throw new PennyError('invalid_input', `${label} is ${width}×${height} px; an image must be at least 16×16.`, { field: 'image', source: label });
  }
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    data[i * 3] = rgba[j]!;
    data[i * 3 + 1] = rgba[j + 1]!;
    data[i * 3 + 2] = rgba[j + 2]!;
  }
  return { width, height, data };
}

/** Bilinear downscale so the longer side is at most maxSide (a 12 MP photo costs 10× the inference time). */
export function fitWithin(img: RgbImage, maxSide: number): { image: RgbImage; scale: number } {
  const long = Math.max(img.width, img.height);
  if (long <= maxSide) return { image: img, scale: 1 };
  const scale = maxSide / long;
  const w = Math.max(1, Math.round(img.width * scale));
  const h = Math.max(1, Math.round(img.height * scale));
  const out = new Uint8Array(w * h * 3);
  const sx = img.width / w;
  const sy = img.height / h;
  for (let y = 0; y < h; y++) {
    const fy = Math.min(img.height - 1, (y + 0.5) * sy - 0.5);
    const y0 = Math.max(0, Math.floor(fy));
    const y1 = Math.min(img.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(img.width - 1, (x + 0.5) * sx - 0.5);
      const x0 = Math.max(0, Math.floor(fx));
      const x1 = Math.min(img.width - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const a = img.data[(y0 * img.width + x0) * 3 + c]!;
        const b = img.data[(y0 * img.width + x1) * 3 + c]!;
        const d = img.data[(y1 * img.width + x0) * 3 + c]!;
        const e = img.data[(y1 * img.width + x1) * 3 + c]!;
        out[(y * w + x) * 3 + c] = Math.round((a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy);
      }
    }
  }
  return { image: { width: w, height: h, data: out }, scale };
}

/**
 * Adds a grey border. Face detectors are trained on faces with context around them; a tight crop
 * (a mugshot, a thumbnail) is often missed until it has some.
 */
export function padImage(img: RgbImage, pad: number): RgbImage {
  const w = img.width + 2 * pad;
  const h = img.height + 2 * pad;
  const out = new Uint8Array(w * h * 3).fill(128);
  for (let y = 0; y < img.height; y++) {
    out.set(img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3), ((y + pad) * w + pad) * 3);
  }
  return { width: w, height: h, data: out };
}

/** Crops a box (clamped to the image), widened by `margin` of its size on each side. */
export function cropBox(img: RgbImage, box: Box, margin = 0): RgbImage {
  const mx = box.width * margin;
  const my = box.height * margin;
  const x0 = Math.max(0, Math.floor(box.x - mx));
  const y0 = Math.max(0, Math.floor(box.y - my));
  const x1 = Math.min(img.width, Math.ceil(box.x + box.width + mx));
  const y1 = Math.min(img.height, Math.ceil(box.y + box.height + my));
  const w = Math.max(1, x1 - x0);
  const h = Math.max(1, y1 - y0);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = ((y0 + y) * img.width + x0) * 3;
    out.set(img.data.subarray(src, src + w * 3), y * w * 3);
  }
  return { width: w, height: h, data: out };
}

export function encodeJpeg(img: RgbImage, quality = 85): Uint8Array {
  const rgba = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    rgba[i * 4] = img.data[i * 3]!;
    rgba[i * 4 + 1] = img.data[i * 3 + 1]!;
    rgba[i * 4 + 2] = img.data[i * 3 + 2]!;
    rgba[i * 4 + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ data: rgba, width: img.width, height: img.height }, quality).data);
}

/** A face thumbnail: the box with a little context, at most 160 px. */
export function faceThumbnail(img: RgbImage, box: Box): Uint8Array {
  return encodeJpeg(fitWithin(cropBox(img, box, 0.2), 160).image, 80);
}
