import { KairosMetrics } from './kairos-metrics';

describe('KairosMetrics', () => {
  it('labels every series with the service and keeps registries apart (two processes in one test never collide)', async () => {
    const a = new KairosMetrics('gateway');
    const b = new KairosMetrics('executor');
    a.submissions.inc({ queue: 'q' }, 2);
    expect(await a.render()).toContain('kairos_task_submissions_total{queue="q",service="gateway"} 2');
    expect(await b.render()).not.toContain('kairos_task_submissions_total{');
  });

  it('runs scrape hooks before rendering; a failing hook is counted and reported, its gauge keeps its last value', async () => {
    const m = new KairosMetrics('executor');
    let depth = 3;
    let fail = false;
    m.onScrape('queues', () => {
      if (fail) throw new Error('database down');
      m.queueDepth.set({ queue: 'q' }, depth);
    });
    expect(await m.render()).toContain('kairos_queue_depth{queue="q",service="executor"} 3');
    fail = true;
    depth = 9;
    const errors: string[] = [];
    const text = await m.render((hook, err) => errors.push(`${hook}: ${(err as Error).message}`));
    expect(errors).toEqual(['queues: database down']);
    expect(text).toContain('kairos_queue_depth{queue="q",service="executor"} 3');
    expect(text).toContain('kairos_metrics_scrape_hook_failures_total{hook="queues",service="executor"} 1');
  });
});
