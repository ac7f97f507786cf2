import { decodeEnvelope, encodeEnvelope, makeEnvelope, ContractViolation } from './envelope';
import { SubmitTaskSchema } from './task.schema';

const taskId = '3f0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b';

describe('envelope', () => {
  it('round-trips a valid event', () => {
    const env = makeEnvelope('task.started.v1', taskId, {
      taskId,
      attempt: 1,
      nodeId: 'n1',
      startedAt: new Date(0).toISOString(),
    });
    expect(decodeEnvelope('task.started.v1', encodeEnvelope(env))).toEqual(env);
  });

  it.each([
    ['not json', '{oops', '(root): not JSON'],
    ['empty', null, '(root): empty message'],
    ['bad payload field', JSON.stringify({ ...makeEnvelope('task.started.v1', taskId, { taskId, attempt: 0, nodeId: 'n', startedAt: new Date().toISOString() }) }), 'payload.attempt'],
  ])('rejects %s naming the problem', (_name, raw, expected) => {
    try {
      decodeEnvelope('task.started.v1', raw);
      throw new Error('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(ContractViolation);
      expect((e as ContractViolation).message).toContain(expected);
    }
  });

  it('rejects an envelope sent to the wrong topic', () => {
    const env = makeEnvelope('node.heartbeat.v1', 'n1', { nodeId: 'n1', executorId: 'e', cpuMillis: 1, memMb: 1, running: 0, at: new Date().toISOString() });
    expect(() => decodeEnvelope('task.started.v1', encodeEnvelope(env))).toThrow(/topic: envelope says node.heartbeat.v1/);
  });
});

describe('SubmitTaskSchema', () => {
  it('fills defaults', () => {
    const t = SubmitTaskSchema.parse({ run: { kind: 'shell', command: ['echo', 'hi'] } });
    expect(t).toMatchObject({ queue: 'default', priority: 50, maxAttempts: 1, run: { shell: false, env: {} } });
  });
  it('names the bad field', () => {
    const r = SubmitTaskSchema.safeParse({ run: { kind: 'shell', command: [] }, priority: 101 });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['run.command', 'priority']));
  });
});
