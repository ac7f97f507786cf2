import { localNodesFromConfig } from './local-nodes';

describe('localNodesFromConfig', () => {
  it('sizes one node from the host when EXECUTOR_NODES is unset', () => {
    const [node] = localNodesFromConfig(undefined, 'ex1');
    expect(node.id).toBe('ex1-n0');
    expect(node.cpuMillis).toBeGreaterThan(0);
    expect(node.memMb).toBeGreaterThan(0);
  });

  it('parses name:cpuMillis:memMb entries', () => {
    expect(localNodesFromConfig('a:2000:4096, b:500:256', 'ex1').map((n) => [n.id, n.cpuMillis, n.memMb])).toEqual([
      ['a', 2000, 4096],
      ['b', 500, 256],
    ]);
  });

  it('parses GPUs: a count (devices 0..N-1) or a device range, with an optional model', () => {
    const nodes = localNodesFromConfig('a:2000:4096:2:A100-80GB,b:1000:1024,c:8000:32768:2-3,d:1000:1024:0', 'ex1');
    expect(nodes.map((n) => [n.id, n.gpus ?? null])).toEqual([
      ['a', { model: 'A100-80GB', devices: [0, 1] }],
      ['b', null],
      ['c', { model: null, devices: [2, 3] }],
      ['d', null],
    ]);
  });

  it.each([
    ['a:two:4096', /entry 1.*cpuMillis must be a positive integer, got "two"/],
    ['a:2000:4096,b:1000', /entry 2.*memMb must be a positive integer/],
    ['a:2000:4096,a:1000:10', /"a" is listed twice/],
    [':1000:10', /expected name:cpuMillis:memMb/],
    ['a:1:2:3:m:x', /expected name:cpuMillis:memMb\[:gpus\[:model\]\]/],
    ['a:1:2:x', /gpus must be a count \(2\) or a device range \(0-3\), got "x"/],
    ['a:1:2:3-1', /GPU range 3-1 runs backwards/],
    ['a:1:2:65', /at most 64 GPUs per node/],
    ['a:1:2:2:A 100', /GPU model must be letters/],
    ['a:1:2:0:A100', /a GPU model needs at least one GPU/],
    ['a:1:2:0-1,b:1:2:1-2', /entry 2.*GPU device 1 is already given to node "a"/],
  ])('rejects %s with a message naming the entry', (spec, message) => {
    expect(() => localNodesFromConfig(spec, 'ex1')).toThrow(message);
  });
});
