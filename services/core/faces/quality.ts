import { cropBox, fitWithin } from './image.js';
import type { Box, Quality, QualityLimits, RgbImage } from './types.js';

export interface Point {
  x: number;
  y: number;
}

/** Variance of a 4-neighbour Laplacian on the grey face crop scaled to ~112 px: low = blurry. */
export function sharpness(img: RgbImage, box: Box): number {
  const crop = fitWithin(cropBox(img, box), 112).image;
  const { width: w, height: h, data } = crop;
  if (w < 3 || h < 3) return 0;
  const grey = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) grey[i] = 0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const lap = grey[i - 1]! + grey[i + 1]! + grey[i - w]! + grey[i + w]! - 4 * grey[i]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

const mean = (pts: Point[]): Point => ({
  x: pts.reduce((s, p) => s + p.x, 0) / pts.length,
  y: pts.reduce((s, p) => s + p.y, 0) / pts.length,
});

/**
 * Head pose from the 68-point landmarks (iBUG layout): roll from the eye line, yaw from how far the
 * nose tip sits off the eyes' midpoint. An estimate, good enough to reject profile shots.
 */
export function poseFromLandmarks(pts: Point[]): { yawDeg: number; rollDeg: number } {
  if (pts.length < 68) return { yawDeg: 0, rollDeg: 0 };
  const left = mean(pts.slice(36, 42));
  const right = mean(pts.slice(42, 48));
  const nose = pts[30]!;
  const dx = right.x - left.x;
  const dy = right.y - left.y;
  const eyeDist = Math.hypot(dx, dy) || 1;
  const rollDeg = (Math.atan2(dy, dx) * 180) / Math.PI;
  // Project the nose offset onto the eye line so roll does not read as yaw.
  const mid = { x: (left.x + right.x) / 2, y: (left.y + right.y) / 2 };
  const along = ((nose.x - mid.x) * dx + (nose.y - mid.y) * dy) / eyeDist;
  const r = Math.max(-1, Math.min(1, along / (0.6 * eyeDist)));
  return { yawDeg: (Math.asin(r) * 180) / Math.PI, rollDeg };
}

export function assessQuality(img: RgbImage, box: Box, landmarks: Point[], limits: QualityLimits, scaleToOriginal = 1): Quality {
  const sizePx = Math.round(Math.min(box.width, box.height) * scaleToOriginal);
  const sharp = sharpness(img, box);
  const { yawDeg, rollDeg } = poseFromLandmarks(landmarks);
  const reasons: string[] = [];
  if (sizePx < limits.minFacePx) reasons.push(`face is ${sizePx} px, needs at least ${limits.minFacePx}`);
  if (sharp < limits.minSharpness) reasons.push(`face is blurred (sharpness ${sharp.toFixed(0)}, needs ${limits.minSharpness})`);
  if (Math.abs(yawDeg) > limits.maxYawDeg) reasons.push(`head turned ${Math.abs(yawDeg).toFixed(0)}°, limit ${limits.maxYawDeg}°`);
  if (Math.abs(rollDeg) > limits.maxRollDeg) reasons.push(`head tilted ${Math.abs(rollDeg).toFixed(0)}°, limit ${limits.maxRollDeg}°`);
  const score =
    Math.min(1, sizePx / (2 * limits.minFacePx)) * 0.4 +
    Math.min(1, sharp / (4 * limits.minSharpness)) * 0.3 +
    (1 - Math.min(1, Math.abs(yawDeg) / 90)) * 0.3;
  return { ok: reasons.length === 0, score: Math.round(score * 1000) / 1000, sizePx, sharpness: Math.round(sharp), yawDeg: Math.round(yawDeg), rollDeg: Math.round(rollDeg), reasons };
}
