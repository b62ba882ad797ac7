import type { AnalyzedImage, QualityLimits } from '../types.js';

/** Messages between the local engine and its worker thread. */
export interface AnalyzeRequest {
  id: number;
  type: 'analyze';
  bytes: Uint8Array;
  label: string;
  limits: QualityLimits;
  minConfidence: number;
}

export type WorkerReply =
  | { id: number; ok: true; result: AnalyzedImage }
  | { id: number; ok: false; error: { code: string; message: string; details?: unknown } }
  | { id: 0; ready: true; backend: string; loadMs: number }
  | { id: 0; ready: false; error: string };

export interface WorkerInit {
  modelDir: string;
  wasmDir: string;
  /** Longest side fed to the detector; larger photos are scaled down first. */
  maxSide: number;
}
