import { nabStreamInfo } from './nab.bench';

describe('nabStreamInfo', () => {
  it("gives the file's min/max and NAB's probationary period, min(floor(0.15 × rows), 750)", () => {
    expect(nabStreamInfo([3, -2, 7, 1])).toEqual({ inputMin: -2, inputMax: 7, probationaryPeriod: 0 });
    expect(nabStreamInfo(Array.from({ length: 1127 }, (_, i) => i)).probationaryPeriod).toBe(169);
    expect(nabStreamInfo(Array.from({ length: 22695 }, (_, i) => i)).probationaryPeriod).toBe(750);
  });
});
