/**
 * K-of-N agreement: a subject counts in a frame when it is the best unsuppressed match of some face
 * in that frame. A lone lookalike frame (motion blur, a similar face at an angle) then cannot raise
 * an alert on its own.
 */
export interface FrameCandidate {
  subjectId: number;
  similarity: number;
  distance: number | null;
  templateId: number | null;
  suppressed: boolean;
}

export interface Agreement<F> {
  subjectId: number;
  framesAgreeing: number;
  bestSimilarity: number;
  suppressed: boolean;
  /** The strongest single observation, kept for the alert (probe face, best template). */
  best: { frame: number; face: F; candidate: FrameCandidate };
}

export function agree<F>(frames: { faces: { face: F; candidates: FrameCandidate[] }[] }[]): Agreement<F>[] {
  const bySubject = new Map<number, Agreement<F> & { frames: Set<number> }>();
  frames.forEach((frame, fi) => {
    for (const { face, candidates } of frame.faces) {
      const top = candidates.find((c) => !c.suppressed);
      const considered = top ? [top] : candidates.slice(0, 1);
      for (const c of considered) {
        let a = bySubject.get(c.subjectId);
        if (!a) {
          a = { subjectId: c.subjectId, framesAgreeing: 0, bestSimilarity: 0, suppressed: c.suppressed, frames: new Set(), best: { frame: fi, face, candidate: c } };
          bySubject.set(c.subjectId, a);
        }
        if (c.suppressed) continue;
        a.suppressed = false;
        a.frames.add(fi);
        if (c.similarity > a.bestSimilarity) {
          a.bestSimilarity = c.similarity;
          a.best = { frame: fi, face, candidate: c };
        }
      }
    }
  });
  return [...bySubject.values()]
    .map(({ frames: f, ...a }) => ({ ...a, framesAgreeing: f.size }))
    .sort((a, b) => b.framesAgreeing - a.framesAgreeing || b.bestSimilarity - a.bestSimilarity);
}

/**
 * Frames that must agree: K of every N, so the same share of a longer sample (8 clip frames at
 * 2 of 5 → 4), at least K, and every frame when fewer than K were given (a single snapshot).
 */
export const framesRequired = (k: number, n: number, framesGiven: number): number =>
  Math.max(1, Math.min(k, framesGiven), Math.ceil((k / Math.max(k, n)) * framesGiven));
