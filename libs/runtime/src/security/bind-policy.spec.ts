import { assertBindAllowed, BindPolicyError, isLoopbackHost } from './bind-policy';

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST.', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['192.168.1.10', false],
    ['kairos.example.com', false],
    ['localhost.example.com', false],
    ['128.0.0.1', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('assertBindAllowed', () => {
  it('allows loopback always, anything when keys are enforced', () => {
    expect(() => assertBindAllowed('127.0.0.1', false)).not.toThrow();
    expect(() => assertBindAllowed('0.0.0.0', true)).not.toThrow();
  });
  it('refuses a wildcard or LAN address while the API is open, saying why and what to do', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.5']) {
      expect(() => assertBindAllowed(host, false)).toThrow(BindPolicyError);
      expect(() => assertBindAllowed(host, false)).toThrow(`refusing to listen on HOST=${host}: it is reachable from other machines and API keys are not enforced`);
    }
  });
});
