import { DecisionRecordSchema } from '@kairos/contracts';
import { failoverDecisionRecord, repairDecisionRecord, retryDecisionRecord } from './outcome-decisions';

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
});
