import { DecisionRecordSchema } from '@kairos/contracts';
import { allocationDecisionRecord, failoverDecisionRecord, repairDecisionRecord, retryDecisionRecord } from './outcome-decisions';

const AT = new Date('2026-11-30T06:00:00.000Z');
const TASK = '00000000-0000-4000-8000-00000000000a';
const ID = '00000000-0000-4000-8000-0000000000d1';

describe('retry, failover and repair decision records', () => {
  const base = { decisionId: ID, at: AT, taskId: TASK, nodeId: 'n1', workflowRunId: null, attempt: 1, chargedAttempts: 1, maxAttempts: 3, outcome: 'failed' as const, exitCode: 1, error: 'exit code 1' };

  it('a retry: attempts used, the back-off drawn, and fail as the runner-up excluded while attempts remain', () => {
    const r = DecisionRecordSchema.parse(retryDecisionRecord({ ...base, next: 'queued', backoffMs: 1370 }));
    expect(r).toMatchObject({ kind: 'retry', taskId: TASK, nodeId: 'n1', policy: { name: 'retry-budget' }, chosen: { id: 'retry', eligible: true } });
    expect(r.runnerUp).toMatchObject({ candidate: { id: 'fail', eligible: false }, reason: 'constraint', detail: 'attempts remain: 1 of 3 attempts used' });
    expect(r.inputs.extra).toEqual({ outcome: 'failed', attemptsUsed: 1, maxAttempts: 3, backoffMs: 1370, exitCode: 1, error: 'exit code 1' });
    expect(r.summary).toBe('attempt 1 failed (exit 1): retry in 1.4 s (1 of 3 attempts used)');
  });

  it('a failure: the retry is excluded because the budget is spent', () => {
    const r = DecisionRecordSchema.parse(retryDecisionRecord({ ...base, attempt: 3, chargedAttempts: 3, outcome: 'timed_out', exitCode: null, error: null, next: 'timed_out', backoffMs: 0 }));
    expect(r.chosen).toMatchObject({ id: 'fail', eligible: true });
    expect(r.runnerUp).toMatchObject({ candidate: { id: 'retry', eligible: false, excludedBy: 'retry budget spent: 3 of 3 attempts used' } });
    expect(r.inputs.extra).toEqual({ outcome: 'timed_out', attemptsUsed: 3, maxAttempts: 3, backoffMs: 0 });
    expect(r.summary).toBe('attempt 3 timed_out: task timed_out, retry budget spent (3 of 3 attempts used)');
  });

  it('a fail-over: requeued until the lost-attempt limit, then failed', () => {
    const f = { decisionId: ID, at: AT, taskId: TASK, nodeId: 'n2', attempt: 2, leaseOwner: 'exec-b', reason: 'attempt 2 lost: executor exec-b stopped renewing its lease' };
    const requeued = DecisionRecordSchema.parse(failoverDecisionRecord({ ...f, lostCount: 1, next: 'queued' }));
    expect(requeued).toMatchObject({ kind: 'failover', nodeId: 'n2', chosen: { id: 'requeue' }, runnerUp: { candidate: { id: 'fail' }, reason: 'constraint' } });
    expect(requeued.summary).toBe('attempt 2 on n2 lost (exec-b): requeued (1 lost, requeued up to 3)');
    const failed = DecisionRecordSchema.parse(failoverDecisionRecord({ ...f, lostCount: 4, next: 'failed' }));
    expect(failed.chosen.id).toBe('fail');
    expect(failed.runnerUp?.detail).toBe('too many lost attempts: 4 lost, requeued up to 3');
  });

  it('a repair: applied (no runner-up), dry run, or refused with the reason', () => {
    const request = { actionId: '00000000-0000-4000-8000-0000000000e1', action: { kind: 'cordon_node' as const, nodeId: 'n3' }, reason: 'cpu above 95 % for 3 min', confidence: 0.8, dryRun: false, requestedBy: 'analyzer:high-cpu' };
    const applied = DecisionRecordSchema.parse(repairDecisionRecord({ decisionId: ID, at: AT, request, status: 'applied', detail: 'node n3 cordoned' }));
    expect(applied).toMatchObject({ kind: 'repair', taskId: null, nodeId: 'n3', confidence: 0.8, chosen: { id: 'apply', label: 'apply cordon_node' }, runnerUp: null });
    expect(applied.inputs.extra).toMatchObject({ action: 'cordon_node', status: 'applied', requestedBy: 'analyzer:high-cpu', dryRun: false });
    expect(applied.summary).toBe('cordon_node n3 applied: node n3 cordoned');
    const refused = DecisionRecordSchema.parse(repairDecisionRecord({ decisionId: ID, at: AT, request, status: 'rejected', detail: 'unknown node n3' }));
    expect(refused.chosen.id).toBe('refuse');
    expect(refused.runnerUp).toMatchObject({ candidate: { id: 'apply', eligible: false, excludedBy: 'unknown node n3' }, reason: 'constraint' });
    const dry = DecisionRecordSchema.parse(repairDecisionRecord({ decisionId: ID, at: AT, request: { ...request, dryRun: true }, status: 'dry_run', detail: 'would apply cordon_node' }));
    expect(dry.chosen.label).toBe('describe cordon_node (dry run)');
    const throttle = DecisionRecordSchema.parse(
      repairDecisionRecord({ decisionId: ID, at: AT, request: { ...request, action: { kind: 'throttle_queue', queue: 'etl', maxConcurrent: 2 } }, status: 'applied', detail: 'queue etl limited to 2 running tasks' }),
    );
    expect(throttle.nodeId).toBeNull();
    expect(throttle.inputs.extra).toMatchObject({ queue: 'etl' });
  });

  it('an allocation: requests against the node free capacity, the devices granted, the next free set as runner-up, busy devices excluded', () => {
    const a = { decisionId: ID, at: AT, taskId: TASK, nodeId: 'g1', workflowRunId: null, attempt: 2, nodeCapacity: { cpuMillis: 8000, memMb: 16384, gpu: 4 }, devices: [0, 1, 2, 3] };
    const r = DecisionRecordSchema.parse(
      allocationDecisionRecord({ ...a, requested: { cpuMillis: 2000, memMb: 4096, gpu: 1 }, nodeFree: { cpuMillis: 6000, memMb: 8192, gpu: 3 }, freeDevices: [1, 2, 3], granted: [1], waitedMs: 0 }),
    );
    expect(r).toMatchObject({ kind: 'allocation', taskId: TASK, nodeId: 'g1', policy: { name: 'node-grant' }, chosen: { id: 'gpus:1', eligible: true }, candidatesConsidered: 4, candidatesSampled: false });
    expect(r.runnerUp).toMatchObject({ candidate: { id: 'gpus:2' }, reason: 'tie_break' });
    expect(r.inputs).toMatchObject({ requests: { cpuMillis: 2000, memMb: 4096, gpu: 1 }, nodeFree: { cpuMillis: 6000, memMb: 8192, gpu: 3 }, attempt: 2 });
    expect(r.inputs.extra).toMatchObject({ devicesGranted: '1', devicesFree: '1,2,3', nodeGpus: 4, waitedMs: 0 });
    expect(r.chosen.components.find((c) => c.name === 'cpu_request_share_of_free')?.contribution).toBeCloseTo(2000 / 6000);
    expect(r.candidates?.map((c) => [c.id, c.eligible, c.excludedBy ?? null])).toEqual([
      ['gpu:0', false, 'held by another attempt'],
      ['gpu:1', true, null],
      ['gpu:2', true, null],
      ['gpu:3', true, null],
    ]);
    expect(r.summary).toBe('attempt 2 on g1: 2000 mCPU of 6000 free, 4096 MB of 8192 free, GPU 1 of free 1,2,3');
    // All free devices granted, or none asked: no alternative.
    const all = DecisionRecordSchema.parse(allocationDecisionRecord({ ...a, requested: { cpuMillis: 100, memMb: 10, gpu: 3 }, nodeFree: { cpuMillis: 8000, memMb: 16384, gpu: 3 }, freeDevices: [1, 2, 3], granted: [1, 2, 3], waitedMs: 1500 }));
    expect(all.runnerUp).toBeNull();
    expect(all.summary).toContain('waited 1.5 s for devices');
    const cpu = DecisionRecordSchema.parse(
      allocationDecisionRecord({ ...a, nodeCapacity: { cpuMillis: 4000, memMb: 4096, gpu: 0 }, devices: [], requested: { cpuMillis: 500, memMb: 256, gpu: 0 }, nodeFree: { cpuMillis: 4000, memMb: 4096, gpu: 0 }, freeDevices: [], granted: [], waitedMs: 0 }),
    );
    expect(cpu).toMatchObject({ chosen: { id: 'gpus:none' }, runnerUp: null, candidatesConsidered: 1 });
    expect(cpu.candidates).toBeUndefined();
    expect(cpu.summary).toBe('attempt 2 on g1: 500 mCPU of 4000 free, 256 MB of 4096 free, no GPU');
  });
});
