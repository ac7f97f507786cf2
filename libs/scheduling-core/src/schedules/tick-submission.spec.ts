import { makeSchedule } from './test/schedule.factory';
import { buildTickSubmissions } from './tick-submission';

const tick = { scheduledAtMs: Date.parse('2025-01-01T00:00:05Z') };

describe('buildTickSubmissions', () => {
  it('fans a shell task out into N shards with env, labels and one idempotency key per shard', () => {
    const s = makeSchedule({
      shards: 3,
      template: { kind: 'task', task: { name: 'rec', run: { kind: 'shell', command: ['rec.sh'], env: { A: '1' } }, labels: { team: 'x' } } },
    });
    const subs = buildTickSubmissions(s, tick);
    expect(subs.map((x) => x.key)).toEqual(['sch-1@2025-01-01T00:00:05.000Z#0', 'sch-1@2025-01-01T00:00:05.000Z#1', 'sch-1@2025-01-01T00:00:05.000Z#2']);
    const second = subs[1]!;
    if (second.kind !== 'task') throw new Error('expected a task');
    expect(second.task.idempotencyKey).toBe('sch-1@2025-01-01T00:00:05.000Z#1');
    expect(second.task.name).toBe('rec');
    expect(second.task.run).toEqual({ kind: 'shell', command: ['rec.sh'], shell: false, env: { A: '1', KAIROS_SHARD_INDEX: '1', KAIROS_SHARD_COUNT: '3' } });
    expect(second.task.labels).toEqual({
      team: 'x',
      'kairos.schedule': 'sch-1',
      'kairos.tick': '2025-01-01T00:00:05.000Z',
      'kairos.shard-index': '1',
      'kairos.shard-count': '3',
    });
    // The template itself is not modified.
    expect(s.template.kind === 'task' && s.template.task.run.kind === 'shell' ? s.template.task.run.env : null).toEqual({ A: '1' });
  });

  it('a noop/http run has no environment: the shard is in the labels only; the schedule name is the default task name', () => {
    const [only] = buildTickSubmissions(makeSchedule(), tick);
    if (only?.kind !== 'task') throw new Error('expected a task');
    expect(only.task.run).toEqual({ kind: 'noop', sleepMs: 0 });
    expect(only.task.name).toBe('reconcile');
    expect(only.task.labels['kairos.shard-count']).toBe('1');
  });

  it('a workflow template yields one workflow per shard, every task carrying the shard', () => {
    const s = makeSchedule({
      shards: 2,
      template: { kind: 'workflow', workflow: { name: 'w', tasks: [{ key: 'a', run: { kind: 'shell', command: ['a'] } }, { key: 'b', dependsOn: ['a'], run: { kind: 'noop' } }] } },
    });
    const subs = buildTickSubmissions(s, tick);
    expect(subs).toHaveLength(2);
    const w = subs[1]!;
    if (w.kind !== 'workflow') throw new Error('expected a workflow');
    expect(w.workflow.tasks.map((t) => t.labels['kairos.shard-index'])).toEqual(['1', '1']);
    expect(w.workflow.tasks[0]!.run).toMatchObject({ env: { KAIROS_SHARD_INDEX: '1', KAIROS_SHARD_COUNT: '2' } });
    expect(w.workflow.tasks[1]!.dependsOn).toEqual(['a']);
  });
});
