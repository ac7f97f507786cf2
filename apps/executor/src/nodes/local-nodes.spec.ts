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

  it.each([
    ['a:two:4096', /entry 1.*cpuMillis must be a positive integer, got "two"/],
    ['a:2000:4096,b:1000', /entry 2.*memMb must be a positive integer/],
    ['a:2000:4096,a:1000:10', /"a" is listed twice/],
    [':1000:10', /expected name:cpuMillis:memMb/],
    ['a:1:2:3', /expected name:cpuMillis:memMb/],
  ])('rejects %s with a message naming the entry', (spec, message) => {
    expect(() => localNodesFromConfig(spec, 'ex1')).toThrow(message);
  });
});
