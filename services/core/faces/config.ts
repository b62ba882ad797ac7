import type { AppDeps } from '../app.js';
import { readSetting } from '../settings/app.js';
import { DEFAULT_QUALITY, type QualityLimits } from './types.js';
import type { RekognitionConfig } from './rekognition/engine.js';
import { PennyError } from '../../contract/errors.js';

/** Face settings with their defaults, read fresh for each command so a change applies at once. */
export interface FacesConfig {
  engine: 'local' | 'rekognition';
  maxDistance: number;
  minSimilarity: number;
  agreeK: number;
  agreeN: number;
  limits: QualityLimits;
}

export function facesConfig(d: AppDeps): FacesConfig {
  const get = <T>(k: string) => readSetting<T>(d.db, d.secrets, k);
  return {
    engine: get<'local' | 'rekognition'>('faces.engine') ?? 'local',
    maxDistance: get<number>('faces.maxDistance') ?? 0.55,
    minSimilarity: get<number>('faces.minSimilarity') ?? 95,
    agreeK: get<number>('faces.agreeK') ?? 2,
    agreeN: get<number>('faces.agreeN') ?? 5,
    limits: { ...DEFAULT_QUALITY, minFacePx: get<number>('faces.minFacePx') ?? DEFAULT_QUALITY.minFacePx },
  };
}

export function rekognitionConfig(d: AppDeps): RekognitionConfig {
  const get = <T>(k: string) => readSetting<T>(d.db, d.secrets, k);
  const region = get<string>('rekognition.region');
  const accessKeyId = get<string>('rekognition.accessKeyId');
  const secretAccessKey = get<string>('rekognition.secretAccessKey');
  const missing = [!region && 'rekognition.region', !accessKeyId && 'rekognition.accessKeyId', !secretAccessKey && 'rekognition.secretAccessKey'].filter(Boolean);
  if (missing.length) {
    throw new PennyError('invalid_input', `Amazon Rekognition is chosen (faces.engine) but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set.`, { missing });
  }
  return {
    region: region!,
    accessKeyId: accessKeyId!,
    secretAccessKey: secretAccessKey!,
    sessionToken: get<string>('rekognition.sessionToken') || undefined,
    endpoint: get<string>('rekognition.endpoint') || undefined,
    collectionId: get<string>('rekognition.collectionId') ?? 'penny-watchlist',
  };
}
