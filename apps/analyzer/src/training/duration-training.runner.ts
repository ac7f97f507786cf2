import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ServingError, trainPlatformDurationModel, type PlatformTaskRecord, type PlatformTrainingOptions, type PlatformTrainingOutcome } from '@kairos/ml';

type WorkerReply = { ok: true; outcome: PlatformTrainingOutcome } | { ok: false; code?: string; message: string };

/**
 * Runs duration training off the request path. From the compiled tree (dist/, every deployment) it
 * is a worker thread, so the event loop keeps serving; under ts sources (jest) there is no .js worker
 * and training runs inline after yielding once — the tests' data sets are small.
 */
export class DurationTrainingRunner {
  private readonly workerFile = join(__dirname, 'duration-training.worker.js');

  get mode(): 'worker-thread' | 'inline' {
    return existsSync(this.workerFile) ? 'worker-thread' : 'inline';
  }

  run(records: PlatformTaskRecord[], options: Partial<PlatformTrainingOptions>): Promise<PlatformTrainingOutcome> {
    if (this.mode === 'inline') return new Promise((resolve, reject) => setImmediate(() => {
      try {
        resolve(trainPlatformDurationModel(records, options));
      } catch (e) {
        reject(e);
      }
    }));
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.workerFile, { workerData: { records, options } });
      worker.once('message', (reply: WorkerReply) => {
        if (reply.ok) resolve({ ...reply.outcome, artifact: new Uint8Array(reply.outcome.artifact) });
        else reject(reply.code === 'INSUFFICIENT_HISTORY' ? new ServingError('INSUFFICIENT_HISTORY', reply.message) : new Error(`training failed: ${reply.message}`));
        void worker.terminate();
      });
      worker.once('error', reject);
      worker.once('exit', (code) => code !== 0 && reject(new Error(`training worker exited with code ${code}`)));
    });
  }
}
