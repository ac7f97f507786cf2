import { encodeEnvelope, makeEnvelope } from '@kairos/contracts';
import { deliver } from './dispatch';
import { HandlerError } from './event-bus.port';

const bytes = encodeEnvelope(makeEnvelope('metrics.batch.v1', 'src', { source: 'src', points: [{ metric: 'm', value: 1 }] }));
const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const unavailable = (e: unknown) => (e as { code?: string }).code === 'ECONNREFUSED';

describe('deliver', () => {
  it('dead-letters a handler failure once the attempts are spent', async () => {
    const out = await deliver('metrics.batch.v1', bytes, async () => Promise.reject(down), 'collector', 5, 5);
    expect(out.kind).toBe('dead-letter');
  });

  it('waits, whatever the attempt, when the failure says a dependency is unavailable', async () => {
    const out = await deliver('metrics.batch.v1', bytes, async () => Promise.reject(down), 'collector', 5, 5, { unavailable });
    expect(out).toEqual({ kind: 'wait', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('still retries, then dead-letters, failures that are not about a dependency', async () => {
    const bad = async () => Promise.reject(new Error('constraint violated'));
    expect((await deliver('metrics.batch.v1', bytes, bad, 'collector', 1, 5, { unavailable })).kind).toBe('retry');
    expect((await deliver('metrics.batch.v1', bytes, bad, 'collector', 5, 5, { unavailable })).kind).toBe('dead-letter');
  });

  it('a handler that says its failure is final is dead-lettered even if the classifier would wait', async () => {
    const final = async () => Promise.reject(new HandlerError('connect ECONNREFUSED 127.0.0.1:5432', false));
    expect((await deliver('metrics.batch.v1', bytes, final, 'collector', 1, 5, { unavailable: () => true })).kind).toBe('dead-letter');
  });
});
