// The small pure rules behind the models, queues, task-detail and overview views.
import type { ModelVersion } from '../api/api-types';
import { canRollback, versionRows } from './model-registry';
import { predictionVerdict } from './prediction';
import { queuePolicyBody } from './queue-policy';
import { STATUS_COLORS, statusColor, workflowTaskStatus } from './status-colors';
import { throughputBars } from './throughput-bars';

const version = (v: number, stage: string, metrics: Record<string, number> = {}): ModelVersion => ({
  name: 'duration',
  version: v,
  stage,
  metrics,
  trainingWindow: null,
  backend: 'wasm',
  createdAt: `2026-11-29T10:0${v}:00.000Z`,
  createdBy: 'api',
  notes: null,
  stageChangedAt: '2026-11-29T10:00:00.000Z',
});

describe('model registry rows', () => {
  it('joins versions with live accuracy and their latest drift decision, newest first', () => {
    const rows = versionRows(
      [version(1, 'archived', { validationMaeMs: 95, baselineMaeMs: 62, p90Coverage: 0.9 }), version(2, 'production'), version(3, 'candidate')],
      { name: 'duration', productionVersion: 2, versions: [{ version: '2', count: 5, mae: 334, mape: 3.9, p90Coverage: 1, coverageCount: 5, bias: 300 }] },
      [
        { id: 'r1', version: 2, decision: 'none', reasons: [], retrainRequested: false, assessedBy: 'a', assessedAt: '2026-11-29T10:00:00.000Z', report: {} },
        { id: 'r2', version: 2, decision: 'alert', reasons: ['live MAE is 1.30× validation MAE (> 1.2)'], retrainRequested: false, assessedBy: 'a', assessedAt: '2026-11-29T11:00:00.000Z', report: {} },
      ],
    );
    expect(rows.map((r) => [r.version, r.stage, r.canDeploy])).toEqual([
      [3, 'candidate', true],
      [2, 'production', false],
      [1, 'archived', true],
    ]);
    expect(rows[1]).toMatchObject({ liveCount: 5, liveMaeMs: 334, liveP90Coverage: 1, liveBiasMs: 300, drift: { decision: 'alert', at: '2026-11-29T11:00:00.000Z' } });
    expect(rows[2]).toMatchObject({ validationMaeMs: 95, baselineMaeMs: 62, validationP90Coverage: 0.9, liveCount: 0, liveMaeMs: null, drift: null });
    expect(canRollback([version(1, 'candidate')])).toBe(false);
    expect(canRollback([version(1, 'archived'), version(2, 'production')])).toBe(true);
  });
});

describe('queue policy body', () => {
  it('sends maxConcurrent only when set or cleared, and validates it', () => {
    expect(queuePolicyBody({ policy: 'fifo', placement: 'best-fit', maxConcurrent: '' }, {})).toEqual({ ok: true, value: { policy: 'fifo', placement: 'best-fit' } });
    expect(queuePolicyBody({ policy: 'fifo', placement: 'best-fit', maxConcurrent: ' 4 ' }, {})).toEqual({ ok: true, value: { policy: 'fifo', placement: 'best-fit', maxConcurrent: 4 } });
    expect(queuePolicyBody({ policy: 'fifo', placement: 'best-fit', maxConcurrent: '' }, { maxConcurrent: 3 })).toEqual({ ok: true, value: { policy: 'fifo', placement: 'best-fit', maxConcurrent: null } });
    expect(queuePolicyBody({ policy: 'fifo', placement: 'best-fit', maxConcurrent: '2.5' }, {})).toEqual({ ok: false, message: 'maxConcurrent: a whole number ≥ 1, or empty for no limit' });
    expect(queuePolicyBody({ policy: 'fifo', placement: 'best-fit', maxConcurrent: '0' }, {})).toEqual({ ok: false, message: 'maxConcurrent: between 1 and 100000' });
  });
});

describe('predicted vs actual', () => {
  it('compares the p50 with the actual duration and checks the p90', () => {
    expect(predictionVerdict({ p50Ms: 800, p90Ms: 1200, basedOn: 12 }, 1000)).toEqual({ errorMs: 200, relativeError: 0.2, withinP90: true });
    expect(predictionVerdict({ p50Ms: 800, p90Ms: 900, basedOn: 12 }, 1000)?.withinP90).toBe(false);
    expect(predictionVerdict({ p50Ms: 0, p90Ms: 0, basedOn: 0 }, 1000)).toBeNull();
    expect(predictionVerdict({ p50Ms: 800, p90Ms: 900, basedOn: 3 }, null)).toBeNull();
    expect(predictionVerdict(null, 5)).toBeNull();
  });
});

describe('status colours', () => {
  it('gives every status its own fill and falls back for unknown ones', () => {
    const fills = Object.values(STATUS_COLORS).map((c) => c.fill);
    expect(new Set(fills).size).toBe(fills.length);
    expect(statusColor('nonsense').fill).toBe('#eeeeee');
    expect(statusColor(null).fill).toBe('#eeeeee');
  });

  it('shows a workflow task in its task row status when it has one', () => {
    expect(workflowTaskStatus({ status: 'running', taskStatus: 'queued' })).toBe('queued');
    expect(workflowTaskStatus({ status: 'running', taskStatus: 'cancelled' })).toBe('cancelled');
    expect(workflowTaskStatus({ status: 'upstream_failed', taskStatus: null })).toBe('upstream_failed');
  });
});

describe('throughput bars', () => {
  it('stacks succeeded under the rest, scaled to the busiest minute', () => {
    const { bars, max } = throughputBars(
      [
        { minute: '2026-11-29T10:01:00.000Z', status: 'succeeded', count: 2 },
        { minute: '2026-11-29T10:00:00.000Z', status: 'succeeded', count: 3 },
        { minute: '2026-11-29T10:00:00.000Z', status: 'failed', count: 1 },
      ],
      400,
      140,
    );
    // plot height 140 − 20 − 10 = 110 px for the max of 4.
    expect(max).toBe(4);
    expect(bars.map((b) => [b.minute.slice(11, 16), b.ok, b.bad, b.okHeight, b.badHeight])).toEqual([
      ['10:00', 3, 1, 82.5, 27.5],
      ['10:01', 2, 0, 55, 0],
    ]);
    expect(bars[0].okY).toBe(120 - 82.5);
    expect(bars[0].badY).toBe(120 - 110);
    expect(bars[1].x).toBe(32 + 30 + 2);
  });
});
