import { parentPort, workerData } from 'node:worker_threads';
import { trainPlatformDurationModel, type PlatformTaskRecord, type PlatformTrainingOptions } from '@kairos/ml';

// Worker-thread entry: trains off the analyzer's event loop and posts the outcome (or the error) back.
const input = workerData as { records: PlatformTaskRecord[]; options: Partial<PlatformTrainingOptions> };
try {
  parentPort?.postMessage({ ok: true, outcome: trainPlatformDurationModel(input.records, input.options) });
} catch (e) {
  parentPort?.postMessage({ ok: false, code: (e as { code?: string }).code, message: e instanceof Error ? e.message : String(e) });
}
