import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { PennyError } from '../../../contract/errors.js';
import { decodeImage, faceThumbnail, fitWithin, padImage } from '../image.js';
import { assessQuality } from '../quality.js';
import type { AnalyzedImage, DetectedFace, RgbImage } from '../types.js';
import type { AnalyzeRequest, WorkerInit, WorkerReply } from './protocol.js';

/**
 * The local engine's worker thread: decode → detect (SSD MobileNet) → 68 landmarks (alignment) →
 * 128-d embedding, all on tfjs's WASM backend, so inference never blocks the dispatch thread.
 * Models and the .wasm binaries are read from node_modules on disk; nothing is fetched.
 */
type FaceApi = typeof import('@vladmandic/face-api');
const require = createRequire(import.meta.url);
const init = workerData as WorkerInit;
const port = parentPort!;
const send = (m: WorkerReply) => port.postMessage(m);

let faceapi: FaceApi;
/** The parts of tfjs-core used here; face-api's bundled typings omit them. */
interface Tf {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
}

async function load(): Promise<void> {
  const t0 = Date.now();
  faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(p: string, usePlatformFetch?: boolean): void };
  // usePlatformFetch=false: emscripten reads the .wasm with fs instead of fetch(), which cannot take a path.
  wasm.setWasmPaths(init.wasmDir.endsWith('/') ? init.wasmDir : init.wasmDir + '/', false);
  const tf = faceapi.tf as unknown as Tf;
  await tf.setBackend('wasm');
  await tf.ready();
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(init.modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(init.modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(init.modelDir);
  send({ id: 0, ready: true, backend: tf.getBackend(), loadMs: Date.now() - t0 });
}

async function detect(img: RgbImage, minConfidence: number) {
  const t = faceapi.tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
  try {
    return await faceapi
      .detectAllFaces(t as never, new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults: 20 }))
      .withFaceLandmarks()
      .withFaceDescriptors();
  } finally {
    t.dispose();
  }
}

async function analyze(req: AnalyzeRequest): Promise<AnalyzedImage> {
  const original = decodeImage(req.bytes, req.label);
  const { image, scale } = fitWithin(original, init.maxSide);
  // A tight crop (ID photo, thumbnail) has no context around the face and SSD misses most of them;
  // framed in a border as wide as the photo, all 40 of the shared test crops are found.
  const long = Math.max(image.width, image.height);
  const attempts = long <= 400 ? [long, 0] : long <= 640 ? [0, Math.round(long * 0.5)] : [0];
  let work = image;
  let offset = 0;
  let found: Awaited<ReturnType<typeof detect>> = [];
  for (const pad of attempts) {
    offset = pad;
    work = pad ? padImage(image, pad) : image;
    found = await detect(work, req.minConfidence);
    if (found.length) break;
  }
  const faces: DetectedFace[] = found.map((f) => {
    const b = f.detection.box;
    const quality = assessQuality(work, b, f.landmarks.positions, req.limits, 1 / scale);
    const inImage = { x: b.x - offset, y: b.y - offset, width: b.width, height: b.height };
    return {
      box: {
        x: Math.round(inImage.x / scale),
        y: Math.round(inImage.y / scale),
        width: Math.round(b.width / scale),
        height: Math.round(b.height / scale),
      },
      score: Math.round(f.detection.score * 1000) / 1000,
      quality,
      descriptor: f.descriptor,
      thumbnail: faceThumbnail(work, b),
    };
  });
  faces.sort((a, b) => b.quality.score - a.quality.score || b.score - a.score);
  return { width: original.width, height: original.height, faces };
}

port.on('message', (req: AnalyzeRequest) => {
  analyze(req).then(
    (result) => {
      const transfer = result.faces.flatMap((f) => [f.descriptor!.buffer as ArrayBuffer, f.thumbnail.buffer as ArrayBuffer]);
      port.postMessage({ id: req.id, ok: true, result } satisfies WorkerReply, transfer);
    },
    (err: unknown) => {
      const e = err instanceof PennyError ? err : new PennyError('internal', (err as Error)?.message ?? String(err));
      send({ id: req.id, ok: false, error: { code: e.code, message: e.message, details: e.details } });
    },
  );
});

load().catch((err: unknown) => send({ id: 0, ready: false, error: (err as Error)?.stack ?? String(err) }));
