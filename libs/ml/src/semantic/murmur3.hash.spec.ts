import { murmur3, murmur3Bytes } from './murmur3.hash';

describe('murmur3 (x86, 32-bit)', () => {
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['abc', 0, 0xb3dd93fa],
    ['hello', 0, 0x248bfa47],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ])('matches the reference vector for %j with seed %d', (text, seed, expected) => {
    expect(murmur3(text, seed)).toBe(expected);
  });

  it('hashes bytes, so a zero block differs from the empty string', () => {
    expect(murmur3Bytes(new Uint8Array(4), 0)).toBe(0x2362f9de);
  });
});
