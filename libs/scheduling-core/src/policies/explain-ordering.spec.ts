import { DecisionRecordSchema } from '@kairos/contracts';
import { ClusterState } from '../model/cluster-state';
import { resources } from '../model/resources';
import { makeTask } from '../model/task.factory';
import { createPlacement } from '../placement/placement.registry';
import { explainOrdering, type OrderingDecisionContext } from './explain-ordering';
import { StaticPriorityPolicy } from './priority.policy';

const ctx = (over: Partial<OrderingDecisionContext> = {}): OrderingDecisionContext => ({
  decisionId: '3f0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b',
  at: '2026-11-30T02:00:00.000Z',
  taskId: '9a0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b',
  runnerUpTaskId: '8a0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b',
  nodeId: 'n0',
  policy: 'priority',
  queue: 'default',
  waitingMs: 10,
  priority: 90,
  estimateP50Ms: null,
  attempt: 1,
  ...over,
});

describe('RankedPolicy.rankOf + explainOrdering', () => {
  const policy = (): StaticPriorityPolicy => {
    const p = new StaticPriorityPolicy({ placement: createPlacement('least-loaded') });
    p.enqueue(makeTask({ id: 'low', priority: 10, arrival: 1, request: { cpuMillis: 100, memMb: 100 } }), 1, 0);
    p.enqueue(makeTask({ id: 'high', priority: 90, arrival: 2, request: { cpuMillis: 100, memMb: 100 } }), 1, 0);
    p.enqueue(makeTask({ id: 'huge', priority: 99, arrival: 3, request: { cpuMillis: 9000, memMb: 100 } }), 1, 0);
    return p;
  };

  it('the head: the runner-up is the second, ranked behind by the key difference', () => {
    const p = policy();
    const pos = p.rankOf('huge')!;
    expect(pos).toMatchObject({ rank: 0, queued: 3, other: { taskId: 'high', rank: 1 } });
    const d = explainOrdering(pos, ctx());
    expect(DecisionRecordSchema.safeParse(d).success).toBe(true);
    expect(d.runnerUp).toMatchObject({ reason: 'lower_score', margin: 9e10 - 1, candidate: { id: ctx().runnerUpTaskId } });
    expect(d.inputs.extra).toMatchObject({ queuePosition: 0 });
  });

  it('a task started behind the head: the head is the runner-up, held by a constraint (here: it did not fit)', () => {
    const p = policy();
    const cluster = new ClusterState([{ id: 'n0', capacity: resources({ cpuMillis: 4000, memMb: 4000 }) }]);
    const dec = p.pickNext(cluster, 0);
    expect(dec).toMatchObject({ kind: 'dispatch', taskId: 'high' });
    const pos = p.rankOf('high')!;
    expect(pos).toMatchObject({ rank: 1, other: { taskId: 'huge', rank: 0 } });
    const d = explainOrdering(pos, ctx());
    expect(d.runnerUp?.reason).toBe('constraint');
    expect(d.summary).toBe(`priority: position 2 of 3 queued in default; runner-up ${ctx().runnerUpTaskId} (constraint)`);
    expect(DecisionRecordSchema.safeParse(d).success).toBe(true);
  });

  it('equal keys are a tie-break; a lone task has no runner-up; an unknown task has no rank', () => {
    const p = new StaticPriorityPolicy({ placement: createPlacement('least-loaded') });
    p.enqueue(makeTask({ id: 'a', priority: 5, arrival: 1 }), 1, 0);
    expect(explainOrdering(p.rankOf('a')!, ctx()).runnerUp).toBeNull();
    p.enqueue(makeTask({ id: 'b', priority: 5, arrival: 1 }), 1, 0);
    expect(explainOrdering(p.rankOf('a')!, ctx()).runnerUp).toMatchObject({ reason: 'tie_break', margin: 0 });
    expect(p.rankOf('zzz')).toBeNull();
  });
});
