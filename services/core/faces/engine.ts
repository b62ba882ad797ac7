import type { AnalyzedImage, QualityLimits } from './types.js';

/**
 * A face engine: detect → align → embed → compare. The local engine returns descriptors and the
 * station compares them in its own gallery; Rekognition keeps the vectors in a collection and
 * compares server-side, so it returns external face ids instead.
 */
export interface EngineMatch {
  /** Local: our template id. Rekognition: mapped from the FaceId. */
  templateId?: number;
  externalId?: string;
  /** Euclidean distance between descriptors (local engine only). */
  distance?: number;
  /** 0..100, higher is more alike. */
  similarity: number;
}

export interface FaceEngine {
  readonly kind: 'local' | 'rekognition';
  /** Find every face, assess its quality, embed it (local) and cut a thumbnail. */
  analyze(bytes: Uint8Array, label: string, limits: QualityLimits): Promise<AnalyzedImage>;
  close(): Promise<void>;
}

/** Euclidean distance of two equal-length descriptors. */
export function euclidean(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}

/**
 * Similarity shown to people for the local engine. face-api descriptors put the same person at
 * d ≈ 0.3–0.5 and different people at d ≈ 0.7–1.0, so 1 − d reads naturally as a percentage.
 */
export const similarityFromDistance = (d: number): number => Math.round(Math.max(0, 1 - d) * 1000) / 10;
