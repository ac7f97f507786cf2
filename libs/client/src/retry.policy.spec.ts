import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelayMs } from './retry.policy';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    ['7', 7000],
    [' 0 ', 0],
    ['Wed, 01 Jan 2025 00:00:30 GMT', 30_000],
    ['Tue, 31 Dec 2024 23:59:00 GMT', 0],
  ])('%j → %d ms', (header, ms) => expect(parseRetryAfter(header, now)).toBe(ms));
  it.each([null, undefined, '', '-1', '1.5', 'soon'])('%j → undefined', (header) => expect(parseRetryAfter(header, now)).toBeUndefined());
});

describe('retryDelayMs', () => {
  const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1000 };
  it('waits what Retry-After says, up to the cap, and gives up beyond it', () => {
    expect(retryDelayMs(policy, 0, 400, () => 0)).toBe(400);
    expect(retryDelayMs(policy, 0, 1000, () => 0)).toBe(1000);
    expect(retryDelayMs(policy, 0, 1001, () => 0)).toBeNull();
  });
  it('backs off exponentially with jitter in [ceiling/2, ceiling) without Retry-After', () => {
    // ceilings 100, 200, 400; random 0 → half, random → 1 approaches the ceiling
    expect([0, 1, 2].map((a) => retryDelayMs(policy, a, undefined, () => 0))).toEqual([50, 100, 200]);
    expect([0, 1, 2].map((a) => retryDelayMs(policy, a, undefined, () => 0.999))).toEqual([100, 200, 400]);
  });
  it('stops after `retries` further tries; 0 disables retrying', () => {
    expect(retryDelayMs(policy, 3, undefined, () => 0)).toBeNull();
    expect(retryDelayMs({ ...policy, retries: 0 }, 0, 10, () => 0)).toBeNull();
    expect(DEFAULT_RETRY_POLICY.retries).toBeGreaterThan(0);
  });
});
