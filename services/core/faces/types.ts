/** Shapes shared by the engines, the gallery and the app. Pixel boxes are in the original image. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Tightly packed 8-bit RGB, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface QualityLimits {
  /** Smallest face side in pixels of the original image. */
  minFacePx: number;
  /** Variance of the Laplacian on the face crop (normalised to 112 px): lower means blurrier. */
  minSharpness: number;
  /** Largest head yaw, degrees, estimated from landmarks. */
  maxYawDeg: number;
  /** Largest head roll, degrees. */
  maxRollDeg: number;
}

export interface Quality {
  ok: boolean;
  /** 0..1, used to order faces best first. */
  score: number;
  sizePx: number;
  sharpness: number;
  yawDeg: number;
  rollDeg: number;
  /** Why the face fails the gate, e.g. "face is 38 px, needs 60". Empty when ok. */
  reasons: string[];
}

/** One face found by an engine: detect → align → embed happened inside the engine. */
export interface DetectedFace {
  box: Box;
  /** Detector confidence 0..1. */
  score: number;
  quality: Quality;
  /** 128-d embedding of the aligned face (local engine); absent for engines that keep vectors server-side. */
  descriptor?: Float32Array;
  /** Small JPEG of the face, for review and match records. */
  thumbnail: Uint8Array;
}

export interface AnalyzedImage {
  width: number;
  height: number;
  faces: DetectedFace[];
}

export const DEFAULT_QUALITY: QualityLimits = { minFacePx: 40, minSharpness: 40, maxYawDeg: 40, maxRollDeg: 35 };
