import { REDACTED } from '@kairos/contracts';
import { RedactingTail, scrubMessage } from './task-output';

const run = (max: number, secrets: string[], ...chunks: string[]) => {
  const t = new RedactingTail(max, secrets);
  for (const c of chunks) t.push(Buffer.from(c));
  return t.toString();
};

describe('RedactingTail', () => {
  it('without secrets: the last max bytes', () => {
    expect(run(5, [], 'abc', 'defgh')).toBe('defgh');
  });
  it('scrubs a secret split across chunks', () => {
    expect(run(100, ['S3CRET-VALUE'], 'key=S3CR', 'ET-VALUE done')).toBe(`key=${REDACTED} done`);
  });
  it('shows no part of a secret cut by the window, even after redaction shortened the rest', () => {
    const secret = 'S'.repeat(5) + 'ECRETVALUE12345'; // 20 characters
    // The window (16 + 20 bytes) starts 5 characters into the first copy of the secret.
    const out = run(16, [secret], 'prefix-', secret, secret, 'x');
    expect(out).not.toMatch(/ECRET|VALUE|12345|SS/);
    expect(out.endsWith(`${REDACTED}x`.slice(-out.length))).toBe(true);
  });
  it('a secret near the end of long output is scrubbed whole, not shown in part', () => {
    const secret = 'ABCDEFGHIJ';
    // The plain last 16 bytes would be 'GHIJ' + 12 × k.
    expect(run(16, [secret], 'q'.repeat(100), secret, 'k'.repeat(12))).toBe(`ted]${'k'.repeat(12)}`);
  });
  it('replaces NUL', () => {
    expect(run(10, [], 'a\u0000b')).toBe('a\ufffdb');
  });
});

describe('scrubMessage', () => {
  it('scrubs secrets from an error message', () => {
    expect(scrubMessage('spawn /opt/tok-123456/bin: ENOENT', ['tok-123456'])).toBe(`spawn /opt/${REDACTED}/bin: ENOENT`);
  });
});
