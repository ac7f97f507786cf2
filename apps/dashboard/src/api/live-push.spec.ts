import { graphqlSocketUrl, pollInterval, taskTopic, workflowTopic } from './live-push';

describe('live push', () => {
  it('opens the socket on the page’s own origin', () => {
    expect(graphqlSocketUrl({ protocol: 'http:', host: '127.0.0.1:3000' })).toBe('ws://127.0.0.1:3000/graphql');
    expect(graphqlSocketUrl({ protocol: 'https:', host: 'kairos.example' })).toBe('wss://kairos.example/graphql');
  });

  it('polls fast until the push is live, then only as a safety net', () => {
    expect(pollInterval('connecting', 1000)).toBe(1000);
    expect(pollInterval('failed', 1000)).toBe(1000);
    expect(pollInterval('ended', 1000)).toBe(1000);
    expect(pollInterval('live', 1000)).toBe(15_000);
    expect(pollInterval('live', 30_000)).toBe(30_000);
  });

  it('maps a task and a workflow to their subscription and the paths their events change', () => {
    expect(taskTopic('t1')).toMatchObject({ variables: { id: 't1' }, invalidates: ['/api/tasks/t1', '/api/predictions/t1'] });
    expect(taskTopic('t1').query).toContain('taskEvents(taskId: $id)');
    expect(workflowTopic('w1').query).toContain('workflowUpdates(workflowId: $id)');
    expect(workflowTopic('w1').invalidates).toContain('/api/workflows/w1');
  });
});
