import { assignLanes, attemptsOf, barKey, defaultWindow, layoutGantt, niceTimeStep, timeAtX, type GanttAttempt } from './gantt-geometry';
import { STATUS_COLORS } from './status-colors';
import { makeAttempt } from '../testing/factories';

const att = (taskId: string, nodeId: string, startMs: number, endMs: number | null, over: Partial<GanttAttempt> = {}): GanttAttempt => ({
  taskId,
  label: taskId,
  attempt: 1,
  nodeId,
  status: endMs === null ? 'running' : 'succeeded',
  startMs,
  endMs,
  ...over,
});

describe('Gantt geometry', () => {
  it('puts overlapping attempts of a node in separate lanes and reuses a lane once it is free', () => {
    // n1: a [0,10), b [5,15) overlaps a, c [10,20) starts when a ends; n2: d alone.
    const lanes = assignLanes([att('c', 'n1', 10, 20), att('a', 'n1', 0, 10), att('b', 'n1', 5, 15), att('d', 'n2', 0, 100)], 1000);
    expect(Object.fromEntries(lanes)).toEqual({ 'a#1': 0, 'b#1': 1, 'c#1': 0, 'd#1': 0 });
  });

  it('a running attempt occupies its lane until now', () => {
    const lanes = assignLanes([att('a', 'n1', 0, null), att('b', 'n1', 50, 60)], 100);
    expect(lanes.get('b#1')).toBe(1);
  });

  it('places each bar on its node row at x = plotX + (t − from) / span × plotWidth', () => {
    // width 1000, label column 200 → plot 200..992 (792 px) for the window 0..1000 ms.
    const layout = layoutGantt([att('t1', 'n1', 250, 750), att('t2', 'n2', 0, 1000, { status: 'failed' })], {
      width: 1000,
      labelWidth: 200,
      nowMs: 2000,
      window: { fromMs: 0, toMs: 1000 },
      laneHeight: 20,
      rowGap: 10,
      axisHeight: 30,
    });
    expect(layout.plotX).toBe(200);
    expect(layout.plotWidth).toBe(792);
    expect(layout.rows.map((r) => [r.nodeId, r.y, r.height])).toEqual([
      ['n1', 30, 30],
      ['n2', 60, 30],
    ]);
    const [b1, b2] = layout.bars;
    expect(b1).toMatchObject({ nodeId: 'n1', x: 200 + 0.25 * 792, width: 0.5 * 792, y: 30 + 5 + 1, height: 18, fill: STATUS_COLORS.succeeded.fill });
    expect(b2).toMatchObject({ nodeId: 'n2', x: 200, width: 792, y: 60 + 5 + 1, fill: STATUS_COLORS.failed.fill, stroke: STATUS_COLORS.failed.stroke });
    expect(layout.height).toBe(90);
  });

  it('draws one bar per attempt, each inside its own node row, with rows for idle nodes too', () => {
    const attempts = [att('a', 'n2', 0, 100), att('a', 'n1', 120, 200, { attempt: 2, status: 'failed' }), att('b', 'n2', 50, 150), att('c', 'n3', 10, null)];
    const layout = layoutGantt(attempts, { width: 800, nowMs: 300, nodeOrder: ['n1', 'idle', 'n2'] });
    expect(layout.rows.map((r) => r.nodeId)).toEqual(['n1', 'idle', 'n2', 'n3']);
    expect(layout.bars).toHaveLength(attempts.length);
    expect(new Set(layout.bars.map((b) => b.key)).size).toBe(attempts.length);
    for (const b of layout.bars) {
      const row = layout.rows.find((r) => r.nodeId === b.nodeId)!;
      expect(b.y).toBeGreaterThanOrEqual(row.y);
      expect(b.y + b.height).toBeLessThanOrEqual(row.y + row.height);
    }
    expect(layout.rows.find((r) => r.nodeId === 'n2')!.lanes).toBe(2);
    const running = layout.bars.find((b) => b.taskId === 'c')!;
    expect(running.running).toBe(true);
    // Ends at now (300 ms), the right end of the default window minus its padding.
    const { fromMs, toMs } = layout;
    expect(running.x + running.width).toBeCloseTo(layout.plotX + ((300 - fromMs) / (toMs - fromMs)) * layout.plotWidth, 6);
  });

  it('clips bars to a zoom window, keeps a minimum width, and drops attempts outside it', () => {
    const layout = layoutGantt([att('in', 'n1', 400, 401), att('across', 'n1', 0, 2000), att('out', 'n1', 5000, 6000)], {
      width: 1008,
      labelWidth: 0,
      nowMs: 10_000,
      window: { fromMs: 300, toMs: 1300 },
      minBarWidth: 3,
    });
    expect(layout.bars.map((b) => b.taskId).sort()).toEqual(['across', 'in']);
    const across = layout.bars.find((b) => b.taskId === 'across')!;
    expect(across.x).toBe(0);
    expect(across.width).toBe(1000);
    expect(layout.bars.find((b) => b.taskId === 'in')!.width).toBe(3);
  });

  it('puts ticks on multiples of a nice step inside the window', () => {
    const layout = layoutGantt([att('a', 'n1', 1_000, 61_000)], { width: 990, labelWidth: 0, nowMs: 0, window: { fromMs: 1_000, toMs: 61_000 }, formatTick: (ms) => String(ms) });
    // 982 px / 90 → 10 ticks max over 60 s → 10 s step: 10 s, 20 s, … 60 s.
    expect(layout.ticks.map((t) => t.ms)).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
    expect(layout.ticks[0].x).toBeCloseTo((9_000 / 60_000) * 982, 6);
  });

  it('chooses nice steps', () => {
    expect(niceTimeStep(60_000, 10)).toBe(10_000);
    expect(niceTimeStep(1_000, 4)).toBe(500);
    expect(niceTimeStep(3 * 3_600_000, 6)).toBe(1_800_000);
    expect(niceTimeStep(100 * 86_400_000, 5)).toBe(20 * 86_400_000);
  });

  it('pads the default window by 2 % (at least 250 ms) and maps x back to time', () => {
    expect(defaultWindow([att('a', 'n', 0, 100_000)], 0)).toEqual({ fromMs: -2_000, toMs: 102_000 });
    expect(defaultWindow([att('a', 'n', 0, 1_000)], 0)).toEqual({ fromMs: -250, toMs: 1_250 });
    const l = { plotX: 100, plotWidth: 500, fromMs: 1_000, toMs: 2_000 };
    expect(timeAtX(l, 350)).toBe(1_500);
    expect(timeAtX(l, 0)).toBe(1_000);
    expect(timeAtX(l, 10_000)).toBe(2_000);
  });

  it('turns task details into one Gantt attempt per executor attempt', () => {
    const got = attemptsOf([
      {
        id: 't1',
        label: 'build',
        attemptsDetail: [
          makeAttempt({ attempt: 1, nodeId: 'n0', status: 'failed', startedAt: '2026-11-29T10:00:00.000Z', finishedAt: '2026-11-29T10:00:01.500Z' }),
          makeAttempt({ attempt: 2, nodeId: 'n1', status: 'running', startedAt: '2026-11-29T10:00:02.000Z', finishedAt: null }),
        ],
      },
    ]);
    expect(got).toEqual([
      { taskId: 't1', label: 'build', attempt: 1, nodeId: 'n0', status: 'failed', startMs: Date.parse('2026-11-29T10:00:00.000Z'), endMs: Date.parse('2026-11-29T10:00:01.500Z') },
      { taskId: 't1', label: 'build', attempt: 2, nodeId: 'n1', status: 'running', startMs: Date.parse('2026-11-29T10:00:02.000Z'), endMs: null },
    ]);
    expect(got.map(barKey)).toEqual(['t1#1', 't1#2']);
  });
});
