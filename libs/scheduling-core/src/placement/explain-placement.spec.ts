import { DecisionRecordSchema } from '@kairos/contracts';
import { ClusterState } from '../model/cluster-state';
import { resources } from '../model/resources';
import { makeTask } from '../model/task.factory';
import { explainPlacement, PLACEMENT_EXPLAINER_VERSION, type PlacementDecisionContext } from './explain-placement';
import { PLACEMENT_NAMES, createPlacement } from './placement.registry';

const CAP = resources({ cpuMillis: 4000, memMb: 4000 });
const mk = (n: number): ClusterState => new ClusterState(Array.from({ length: n }, (_, i) => ({ id: `n${i}`, capacity: CAP })));
const task = makeTask({ id: 'job', request: { cpuMillis: 1000, memMb: 500 } });
const ctx = (over: Partial<PlacementDecisionContext> = {}): PlacementDecisionContext => ({
  decisionId: '3f0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b',
  at: '2026-11-30T02:00:00.000Z',
  taskId: '9a0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b',
  orderingPolicy: 'priority',
  queue: 'default',
  waitingMs: 1500,
  queueLength: 3,
  estimateP50Ms: 2000,
  attempt: 1,
  ...over,
});

describe('explainPlacement', () => {
  it('least-loaded: the chosen node has the lowest load, the runner-up lost on score, confidence is the normalised margin', () => {
    const c = mk(3);
    c.allocate(0, resources({ cpuMillis: 2000 }));
    c.allocate(2, resources({ cpuMillis: 1000 }));
    const chosen = createPlacement('least-loaded').choose(task, c);
    expect(chosen).toBe(1);
    const d = explainPlacement('least-loaded', task, c, chosen, ctx());
    expect(DecisionRecordSchema.parse(d)).toEqual(d);
    expect(d.policy).toEqual({ name: 'least-loaded', version: PLACEMENT_EXPLAINER_VERSION });
    expect(d.nodeId).toBe('n1');
    expect(d.objective).toBe('min');
    expect(d.chosen.score).toBe(0);
    expect(d.chosen.components.find((x) => x.name === 'dominant_allocated_share')).toEqual({ name: 'dominant_allocated_share', input: 0, weight: 1, contribution: 0 });
    expect(d.chosen.components.find((x) => x.name === 'free_cpu_after_share')?.input).toBe(0.75);
    expect(d.runnerUp).toMatchObject({ candidate: { id: 'n2', score: 0.25 }, reason: 'lower_score', margin: 0.25 });
    // margin 0.25 over a spread of 0.5 (0 … 0.5)
    expect(d.confidence).toBe(0.5);
    expect(d.inputs).toMatchObject({ requests: { cpuMillis: 1000, memMb: 500, gpu: 0 }, nodeFree: { cpuMillis: 4000, memMb: 4000, gpu: 0 }, waitingMs: 1500, queueLength: 3, estimate: { p50Ms: 2000 } });
    expect(d.candidatesConsidered).toBe(3);
    expect(d.candidates?.map((x) => x.id)).toEqual(['n1', 'n2', 'n0']);
    expect(d.summary).toContain('runner-up n2');
  });

  it('a tie is reported as a tie-break with zero confidence', () => {
    const c = mk(2);
    const d = explainPlacement('least-loaded', task, c, createPlacement('least-loaded').choose(task, c), ctx());
    expect(d.nodeId).toBe('n0');
    expect(d.runnerUp).toMatchObject({ candidate: { id: 'n1' }, reason: 'tie_break', margin: 0 });
    expect(d.confidence).toBe(0);
  });

  it('a node that does not fit or is down is the runner-up only when no other node fits, with why', () => {
    const c = mk(3);
    c.allocate(1, resources({ cpuMillis: 3500 }));
    c.setUp(2, false);
    const d = explainPlacement('best-fit', task, c, createPlacement('best-fit').choose(task, c), ctx());
    expect(DecisionRecordSchema.safeParse(d).success).toBe(true);
    expect(d.nodeId).toBe('n0');
    expect(d.runnerUp).toMatchObject({ candidate: { id: 'n1', eligible: false }, reason: 'did_not_fit', margin: null });
    expect(d.runnerUp?.candidate.excludedBy).toContain('cpuMillis');
    expect(d.candidates?.find((x) => x.id === 'n2')?.excludedBy).toContain('down');
    expect(d.confidence).toBe(1);
  });

  it('a node the strategy would not rank first is reported as the policy overriding the ranking, never as a lower score', () => {
    const c = mk(2);
    c.allocate(0, resources({ cpuMillis: 2000 }));
    const d = explainPlacement('least-loaded', task, c, 0, ctx({ orderingPolicy: 'drf' }));
    expect(DecisionRecordSchema.safeParse(d).success).toBe(true);
    expect(d.runnerUp?.reason).toBe('constraint');
    expect(d.runnerUp?.detail).toContain('drf');
  });

  it.each(PLACEMENT_NAMES)('%s: a schema-valid record whose chosen node is the strategy choice, on 40 nodes with a sampled list', (name) => {
    const c = mk(40);
    for (let i = 0; i < 40; i++) c.allocate(i, resources({ cpuMillis: (i * 97) % 3000, memMb: (i * 53) % 3000 }));
    const chosen = createPlacement(name).choose(task, c);
    const d = explainPlacement(name, task, c, chosen, ctx({ maxCandidates: 8, estimateP50Ms: null }));
    expect(DecisionRecordSchema.safeParse(d).success).toBe(true);
    expect(d.nodeId).toBe(`n${chosen}`);
    expect(d.runnerUp).not.toBeNull();
    expect(d.candidates).toHaveLength(8);
    expect(d.candidatesSampled).toBe(true);
    expect(d.inputs.estimate).toBeUndefined();
    if (['round-robin', 'weighted-round-robin', 'consistent-hash'].includes(name)) {
      expect(d.chosen.score).toBeNull();
      expect(d.confidence).toBeNull();
      expect(d.runnerUp?.reason).toBe('tie_break');
    } else {
      expect(d.runnerUp?.reason).not.toBe('constraint');
      expect(d.confidence).not.toBeNull();
    }
  });

  it('rejects a chosen index outside the cluster', () => {
    expect(() => explainPlacement('least-loaded', task, mk(2), 5, ctx())).toThrow(/node index 5/);
  });
});
