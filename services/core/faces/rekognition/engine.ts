import {
  CreateCollectionCommand,
  DeleteFacesCommand,
  DetectFacesCommand,
  IndexFacesCommand,
  RekognitionClient,
  SearchFacesByImageCommand,
  type FaceDetail,
} from '@aws-sdk/client-rekognition';
import { PennyError } from '../../../contract/errors.js';
import type { FaceEngine } from '../engine.js';
import { cropBox, decodeImage, encodeJpeg, faceThumbnail, fitWithin } from '../image.js';
import type { AnalyzedImage, DetectedFace, QualityLimits, RgbImage } from '../types.js';

export interface RekognitionConfig {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Only for private endpoints and tests (a loopback fake); normally unset. */
  endpoint?: string;
  collectionId: string;
}

export interface RekognitionMatch {
  faceId: string;
  externalImageId?: string;
  similarity: number;
}

const CREDENTIAL_ERRORS: Record<string, string> = {
  ExpiredTokenException: 'the security token in Settings has expired',
  UnrecognizedClientException: 'the access key in Settings is not recognised',
  InvalidSignatureException: 'the secret key in Settings does not match the access key',
  AccessDeniedException: 'the credentials in Settings are not allowed to use this collection',
};

/** Turns SDK errors into messages a store admin can act on; the AWS error name stays in details. */
export function rekognitionError(err: unknown, op: string): PennyError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? 'Error';
  const why = CREDENTIAL_ERRORS[name];
  if (why) {
    return new PennyError('unavailable', `Amazon Rekognition refused ${op}: ${why} (${name}). Update the rekognition.* settings.`, { awsError: name, op });
  }
  if (name === 'InvalidParameterException' || name === 'InvalidImageFormatException' || name === 'ImageTooLargeException') {
    return new PennyError('invalid_input', `Amazon Rekognition rejected the image in ${op}: ${e.message ?? name} (${name}).`, { awsError: name, op });
  }
  if (name === 'ResourceNotFoundException') {
    return new PennyError('not_found', `Amazon Rekognition has no such collection or face in ${op} (${name}).`, { awsError: name, op });
  }
  const status = e?.$metadata?.httpStatusCode;
  return new PennyError('unavailable', `Amazon Rekognition failed in ${op}: ${e?.message ?? name} (${name}${status ? `, HTTP ${status}` : ''}).`, { awsError: name, op });
}

function qualityOf(d: FaceDetail, box: DetectedFace['box'], limits: QualityLimits) {
  const sizePx = Math.round(Math.min(box.width, box.height));
  const sharp = d.Quality?.Sharpness ?? 0; // Rekognition's 0..100 scale
  const yaw = d.Pose?.Yaw ?? 0;
  const roll = d.Pose?.Roll ?? 0;
  const reasons: string[] = [];
  if (sizePx < limits.minFacePx) reasons.push(`face is ${sizePx} px, needs at least ${limits.minFacePx}`);
  // Rekognition reports sharpness 0..100; map the local Laplacian limit onto roughly the same bar.
  const minSharp = Math.min(60, limits.minSharpness / 2);
  if (sharp < minSharp) reasons.push(`face is blurred (sharpness ${sharp.toFixed(0)}, needs ${minSharp})`);
  if (Math.abs(yaw) > limits.maxYawDeg) reasons.push(`head turned ${Math.abs(yaw).toFixed(0)}°, limit ${limits.maxYawDeg}°`);
  if (Math.abs(roll) > limits.maxRollDeg) reasons.push(`head tilted ${Math.abs(roll).toFixed(0)}°, limit ${limits.maxRollDeg}°`);
  const score = Math.min(1, sizePx / (2 * limits.minFacePx)) * 0.4 + (sharp / 100) * 0.3 + (1 - Math.min(1, Math.abs(yaw) / 90)) * 0.3;
  return { ok: reasons.length === 0, score: Math.round(score * 1000) / 1000, sizePx, sharpness: Math.round(sharp), yawDeg: Math.round(yaw), rollDeg: Math.round(roll), reasons };
}

/**
 * Amazon Rekognition, for stores that opt in. Detection runs in DetectFaces; each face is cropped
 * here and sent on its own to SearchFacesByImage (which only searches the largest face of an image).
 */
export function createRekognitionEngine(cfg: RekognitionConfig) {
  const client = new RekognitionClient({
    region: cfg.region,
    endpoint: cfg.endpoint,
    credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey, sessionToken: cfg.sessionToken },
    maxAttempts: 2,
  });
  let collectionReady = false;

  const call = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw rekognitionError(err, op);
    }
  };

  const engine = {
    kind: 'rekognition' as const,
    client,
    async analyze(bytes: Uint8Array, label: string, limits: QualityLimits): Promise<AnalyzedImage & { decoded: RgbImage }> {
      const decoded = decodeImage(bytes, label);
      // Rekognition takes up to 5 MB; a re-encoded ≤1920 px JPEG stays well inside that.
      const { image: sent } = fitWithin(decoded, 1920);
      const out = await call('DetectFaces', () => client.send(new DetectFacesCommand({ Image: { Bytes: encodeJpeg(sent, 90) }, Attributes: ['DEFAULT'] })));
      const faces: DetectedFace[] = (out.FaceDetails ?? []).map((d) => {
        const bb = d.BoundingBox ?? {};
        const box = {
          x: Math.round((bb.Left ?? 0) * decoded.width),
          y: Math.round((bb.Top ?? 0) * decoded.height),
          width: Math.round((bb.Width ?? 0) * decoded.width),
          height: Math.round((bb.Height ?? 0) * decoded.height),
        };
        return { box, score: Math.round(d.Confidence ?? 0) / 100, quality: qualityOf(d, box, limits), thumbnail: faceThumbnail(decoded, box) };
      });
      faces.sort((a, b) => b.quality.score - a.quality.score || b.score - a.score);
      return { width: decoded.width, height: decoded.height, faces, decoded };
    },
    /** The face crop that goes to IndexFaces / SearchFacesByImage. */
    faceBytes(img: RgbImage, box: DetectedFace['box']): Uint8Array {
      return encodeJpeg(fitWithin(cropBox(img, box, 0.4), 800).image, 90);
    },
    async ensureCollection(): Promise<void> {
      if (collectionReady) return;
      try {
        await client.send(new CreateCollectionCommand({ CollectionId: cfg.collectionId }));
      } catch (err) {
        if ((err as { name?: string }).name !== 'ResourceAlreadyExistsException') throw rekognitionError(err, 'CreateCollection');
      }
      collectionReady = true;
    },
    async indexFace(face: Uint8Array, externalImageId: string): Promise<string> {
      await engine.ensureCollection();
      const out = await call('IndexFaces', () =>
        client.send(new IndexFacesCommand({ CollectionId: cfg.collectionId, Image: { Bytes: face }, ExternalImageId: externalImageId, MaxFaces: 1, QualityFilter: 'AUTO', DetectionAttributes: [] })),
      );
      const id = out.FaceRecords?.[0]?.Face?.FaceId;
      if (!id) {
        const reasons = (out.UnindexedFaces ?? []).flatMap((u) => u.Reasons ?? []);
        throw new PennyError('invalid_input', `Amazon Rekognition did not index the face${reasons.length ? ` (${reasons.join(', ')})` : ''}.`, { reasons });
      }
      return id;
    },
    async searchFace(face: Uint8Array, minSimilarity: number, maxFaces = 5): Promise<RekognitionMatch[]> {
      await engine.ensureCollection();
      const out = await call('SearchFacesByImage', () =>
        client.send(new SearchFacesByImageCommand({ CollectionId: cfg.collectionId, Image: { Bytes: face }, FaceMatchThreshold: minSimilarity, MaxFaces: maxFaces, QualityFilter: 'NONE' })),
      );
      return (out.FaceMatches ?? [])
        .filter((m) => m.Face?.FaceId)
        .map((m) => ({ faceId: m.Face!.FaceId!, externalImageId: m.Face!.ExternalImageId, similarity: m.Similarity ?? 0 }));
    },
    async deleteFaces(faceIds: string[]): Promise<void> {
      if (faceIds.length === 0) return;
      await call('DeleteFaces', () => client.send(new DeleteFacesCommand({ CollectionId: cfg.collectionId, FaceIds: faceIds })));
    },
    async close() {
      client.destroy();
    },
  };
  return engine satisfies FaceEngine;
}
export type RekognitionEngine = ReturnType<typeof createRekognitionEngine>;
