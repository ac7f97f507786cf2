import { ownerOfPath, replicaOrder } from './owner-routes';

describe('ownerOfPath', () => {
  it.each([
    ['/api/models', 'analyzer'],
    ['/api/models/duration/versions/3/deploy', 'analyzer'],
    ['/api/predictions/abc', 'analyzer'],
    ['/api/patterns?limit=5', 'analyzer'],
    ['/api/anomalies?windowSec=60', 'analyzer'],
    ['/api/diagnoses', 'analyzer'],
    ['/api/diagnosis/rules/r1', 'analyzer'],
    ['/api/metrics/tasks/t1', 'collector'],
    ['/api/metrics/nodes/n1/rollups', 'collector'],
    ['/api/executor/status', 'executor'],
  ])('%s → %s', (path, owner) => expect(ownerOfPath(path)).toBe(owner));

  it.each(['/api/tasks', '/api/stats', '/api/modelsx', '/health', '/api', '/models', '/api/queues/q/policy'])('%s is the gateway’s own', (path) => expect(ownerOfPath(path)).toBeNull());
});

describe('replicaOrder', () => {
  it('rotates from the turn and keeps every replica once', () => {
    const urls = ['http://a:1', 'http://b:1', 'http://c:1'];
    expect(replicaOrder(urls, 0)).toEqual(urls);
    expect(replicaOrder(urls, 1)).toEqual(['http://b:1', 'http://c:1', 'http://a:1']);
    expect(replicaOrder(urls, 5)).toEqual(['http://c:1', 'http://a:1', 'http://b:1']);
    expect(replicaOrder(urls, -1)).toEqual(['http://c:1', 'http://a:1', 'http://b:1']);
    expect(replicaOrder([], 3)).toEqual([]);
  });
});
