import { render } from 'preact-render-to-string';
import type { DecisionRecord as StoredRecord } from '@kairos/contracts';
import { confidenceLevel, decisionPanelModel, fromContractRecord, latestPlacement, parseDecisionRecord } from '../domain/decision-record';
import { DECISION_FIXTURE } from '../testing/factories';
import { DecisionPanel } from './decision-panel';

describe('decision record ("why this node, why now")', () => {
  it('accepts the documented shape and rejects others, naming the field', () => {
    expect(parseDecisionRecord(DECISION_FIXTURE)).toEqual({ record: DECISION_FIXTURE, problem: null });
    expect(parseDecisionRecord(undefined)).toEqual({ record: null, problem: null });
    const bad = parseDecisionRecord({ ...DECISION_FIXTURE, confidence: 1.5 });
    expect(bad.record).toBeNull();
    expect(bad.problem).toMatch(/^confidence: /);
    expect(parseDecisionRecord({ ...DECISION_FIXTURE, chosen: { nodeId: 'n0', score: 'high', components: [] } }).problem).toMatch(/^chosen\.score: /);
  });

  it('ranks score components by how much they favoured the chosen node (hand-computed)', () => {
    const m = decisionPanelModel(DECISION_FIXTURE);
    // Contributions chosen − runner-up: free cpu 0.57 − 0.36 = 0.21; data locality 0.1 − 0 = 0.1;
    // free memory 0.15 − 0.24 = −0.09.
    expect(m.components.map((c) => c.name)).toEqual(['free cpu', 'data locality', 'free memory']);
    expect(m.components[0].chosenContribution).toBeCloseTo(0.57, 10);
    expect(m.components[0].runnerUpContribution).toBeCloseTo(0.36, 10);
    expect(m.components[0].advantage).toBeCloseTo(0.21, 10);
    expect(m.components[2].advantage).toBeCloseTo(-0.09, 10);
    expect(m.runnerUp).toEqual({ nodeId: 'n1', score: '0.6', margin: '0.22', rejectedBecause: 'less free CPU' });
    expect(m.chosenScore).toBe('0.82');
    expect(m.confidence).toEqual({ value: '74 %', level: 'medium' });
    expect(m.inconsistent).toEqual([]);
    expect(m.headline).toBe('Placed on n0 by least-loaded · queue default ordered by priority · attempt 1');
    expect(m.inputs).toContainEqual({ label: 'waited', value: '120 ms' });
    expect(m.inputs).toContainEqual({ label: 'requested memory', value: '64 MB' });
    expect(m.inputs).toContainEqual({ label: 'note', value: 'warm cache' });
  });

  it('flags a score its components do not add up to', () => {
    const m = decisionPanelModel({ ...DECISION_FIXTURE, chosen: { ...DECISION_FIXTURE.chosen, score: 0.9 } });
    expect(m.inconsistent).toEqual(['n0: components sum to 0.82, score says 0.9']);
  });

  it('handles a single candidate and an unknown confidence', () => {
    const m = decisionPanelModel({ ...DECISION_FIXTURE, runnerUp: null, confidence: null });
    expect(m.runnerUp).toBeNull();
    expect(m.components.every((c) => c.advantage === null)).toBe(true);
    expect(m.confidence).toEqual({ value: 'not estimated', level: 'unknown' });
    expect([confidenceLevel(0.8), confidenceLevel(0.5), confidenceLevel(0.49)]).toEqual(['high', 'medium', 'low']);
  });

  it('renders the fixture: policy, why now, inputs, components of both nodes, runner-up, confidence', () => {
    const html = render(<DecisionPanel raw={DECISION_FIXTURE} />);
    for (const text of [
      'Placed on n0 by least-loaded',
      'highest priority in queue default (1st of 4 queued)',
      'predicted p90',
      '900 ms',
      'free cpu',
      '0.95 → 0.57',
      '0.6 → 0.36',
      '+0.21',
      '-0.09',
      'n1 (score 0.6, 0.22 behind) — less free CPU',
      '74 %',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).not.toContain('score does not add up');
  });

  it('renders a placeholder without a record, and the problem with a malformed one', () => {
    expect(render(<DecisionPanel raw={undefined} />)).toContain('No placement decision recorded');
    expect(render(<DecisionPanel raw={{ taskId: 'x' }} />)).toContain('decision record unreadable: attempt: ');
  });

  it('shows a stored DecisionRecord (GET /api/tasks/:id/decisions): a "lower wins" score negated so the margin favours the chosen node', () => {
    const stored: StoredRecord = {
      schemaVersion: 1,
      decisionId: '3f0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b',
      kind: 'placement',
      at: '2026-11-30T02:00:00.000Z',
      policy: { name: 'least-loaded', version: '1' },
      taskId: '9a0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b',
      nodeId: 'n2',
      objective: 'min',
      chosen: { id: 'n2', score: 0.125, eligible: true, components: [{ name: 'dominant_allocated_share', input: 0.125, weight: 1, contribution: 0.125 }, { name: 'free_cpu_after_share', input: 0.75, weight: 0, contribution: 0 }] },
      runnerUp: {
        candidate: { id: 'n1', score: 0.5, eligible: true, components: [{ name: 'dominant_allocated_share', input: 0.5, weight: 1, contribution: 0.5 }, { name: 'free_cpu_after_share', input: 0.25, weight: 0, contribution: 0 }] },
        reason: 'lower_score',
        margin: 0.375,
        detail: 'lowest dominant allocated share: 0.125 vs 0.5',
      },
      inputs: { requests: { cpuMillis: 500, memMb: 256, gpu: 0 }, waitingMs: 1500, queueLength: 3, attempt: 2, extra: { orderingPolicy: 'priority', queue: 'default', priority: 50 } },
      confidence: 0.75,
      candidatesConsidered: 2,
      candidatesSampled: false,
      summary: 'n2 by least-loaded (lowest dominant allocated share, score 0.125); runner-up n1 (lower_score, margin 0.375)',
    };
    const { record, problem } = parseDecisionRecord(stored);
    expect(problem).toBeNull();
    expect(record).toEqual(fromContractRecord(stored));
    const m = decisionPanelModel(record!);
    expect(m.headline).toBe('Placed on n2 by least-loaded v1 · queue default ordered by priority · attempt 2');
    expect(m.chosenScore).toBe('-0.125');
    expect(m.runnerUp).toEqual({ nodeId: 'n1', score: '-0.5', margin: '0.375', rejectedBecause: 'lower score: lowest dominant allocated share: 0.125 vs 0.5' });
    expect(m.components[0]).toMatchObject({ name: 'dominant_allocated_share', advantage: 0.375 });
    expect(m.inconsistent).toEqual([]);
    expect(m.whyNow).toContain('priority ordering picked it from 3 ready in queue default');
    const html = render(<DecisionPanel raw={stored} />);
    expect(html).toContain('n1 (score -0.5, 0.375 behind)');
    expect(html).toContain('75 %');
  });

  it('picks the latest placement and the ordering record of the same start, and tells the queue side in "why now"', () => {
    const at1 = '2026-11-30T02:00:00.000Z';
    const at2 = '2026-11-30T02:00:05.000Z';
    const base = { schemaVersion: 1 as const, policy: { name: 'least-loaded', version: '1' }, taskId: '9a0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b', objective: 'min' as const, inputs: {}, confidence: null, candidatesConsidered: 2, candidatesSampled: false };
    const node = (id: string) => ({ id, score: 0, components: [], eligible: true });
    const placement = (decisionId: string, at: string, nodeId: string): StoredRecord => ({ ...base, decisionId, at, kind: 'placement', nodeId, chosen: node(nodeId), runnerUp: null, summary: `${nodeId} by least-loaded` });
    const ordering: StoredRecord = {
      ...base, decisionId: '00000000-0000-4000-8000-000000000003', at: at2, kind: 'ordering', policy: { name: 'priority', version: '1' }, nodeId: 'n2',
      chosen: node('9a0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b'),
      runnerUp: { candidate: node('8a0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b'), reason: 'lower_score', margin: 1, detail: 'ranked second: key 2 vs 1' },
      summary: 'priority: position 1 of 3 queued in default; runner-up 8a0b1c9e (lower_score)',
    };
    const items = [placement('00000000-0000-4000-8000-000000000001', at1, 'n1'), placement('00000000-0000-4000-8000-000000000002', at2, 'n2'), ordering];
    const picked = latestPlacement(items);
    expect((picked.placement as StoredRecord).nodeId).toBe('n2');
    expect(picked.ordering?.decisionId).toBe(ordering.decisionId);
    const { record } = parseDecisionRecord(picked.placement, picked.ordering);
    expect(record?.whyNow).toContain('Queue: priority: position 1 of 3 queued in default. 8a0b1c9e… came second (lower score: ranked second: key 2 vs 1).');
    expect(latestPlacement([])).toEqual({ placement: null, ordering: null });
  });
});
