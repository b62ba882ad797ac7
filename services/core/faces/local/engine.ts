import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PennyError, type ErrorCode } from '../../../contract/errors.js';
import type { FaceEngine } from '../engine.js';
import type { AnalyzedImage, QualityLimits } from '../types.js';
import type { AnalyzeRequest, WorkerInit, WorkerReply } from './protocol.js';

const require = createRequire(import.meta.url);

/** Where the shipped models and WASM binaries sit in node_modules. */
export function localModelPaths(): { modelDir: string; wasmDir: string } {
  return {
    modelDir: join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model'),
    wasmDir: join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'),
  };
}

/**
 * Starts the worker. From TypeScript sources (CLI via tsx, tests) the worker registers tsx itself
 * before importing worker.ts; from a build, worker.js sits next to this file.
 */
function spawnWorker(init: WorkerInit): Worker {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const target = pathToFileURL(join(dirname(here), 'worker.ts')).href;
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(target)}); })`;
    return new Worker(boot, { eval: true, workerData: init });
  }
  return new Worker(join(dirname(here), 'worker.js'), { workerData: init });
}

export interface LocalEngineOptions {
  minConfidence?: number;
  maxSide?: number;
}

/** The on-device engine. One worker, loaded lazily on first use and reused; requests queue in order. */
export function createLocalEngine(opts: LocalEngineOptions = {}): FaceEngine & { warmUp(): Promise<{ backend: string; loadMs: number }> } {
  let worker: Worker | undefined;
  let ready: Promise<{ backend: string; loadMs: number }> | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve(r: AnalyzedImage): void; reject(e: Error): void }>();

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const start = () => {
    if (ready) return ready;
    ready = new Promise((resolve, reject) => {
      const w = spawnWorker({ ...localModelPaths(), maxSide: opts.maxSide ?? 1280 });
      worker = w;
      w.on('message', (m: WorkerReply) => {
        if (m.id === 0) {
          if ('ready' in m && m.ready) resolve({ backend: m.backend, loadMs: m.loadMs });
          else reject(new PennyError('unavailable', `The local face engine could not load its models: ${(m as { error: string }).error}`));
          return;
        }
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if ('result' in m) p.resolve(m.result);
        else if ('error' in m && typeof m.error === 'object') p.reject(new PennyError(m.error.code as ErrorCode, m.error.message, m.error.details));
      });
      w.on('error', (err) => {
        const e = new PennyError('unavailable', `The local face engine stopped: ${err.message}`);
        reject(e);
        failAll(e);
        worker = undefined;
        ready = undefined;
      });
      w.on('exit', (code) => {
        if (worker === w) {
          failAll(new PennyError('unavailable', `The local face engine exited (code ${code}).`));
          worker = undefined;
          ready = undefined;
        }
      });
    });
    return ready;
  };

  return {
    kind: 'local',
    warmUp: start,
    async analyze(bytes, label, limits: QualityLimits) {
      await start();
      const id = nextId++;
      const req: AnalyzeRequest = { id, type: 'analyze', bytes, label, limits, minConfidence: opts.minConfidence ?? 0.5 };
      return new Promise<AnalyzedImage>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.postMessage(req);
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      ready = undefined;
      failAll(new PennyError('unavailable', 'The face engine was closed.'));
      if (w) await w.terminate();
    },
  };
}
