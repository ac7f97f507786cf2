import pino from 'pino';
import { Writable } from 'node:stream';
import { LOG_REDACT_PATHS } from './logger';

describe('log redaction', () => {
  it('blanks task secrets and the SQL parameters of a failed query, keeps the rest', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = pino({ redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }, sink);
    const driverError = { code: '23505', detail: 'Key (idempotency_key)=(leak-4) already exists.', where: 'JSON data, line 1: {"leak-5', parameters: ['leak-6'] };
    const err = Object.assign(new Error('insert failed'), { query: 'INSERT …', parameters: ['id', '{"env":{"X":"leak-1"}}'], driverError, detail: driverError.detail, where: driverError.where });
    log.error({ err, spec: { kind: 'shell', env: { CI: '1' }, secretEnv: { T: 'leak-2' } }, task: { run: { secretHeaders: { Authorization: 'leak-3' } } } }, 'x');
    const out = lines.join('');
    expect(out).not.toMatch(/leak-\d/);
    expect(out).toContain('insert failed');
    expect(out).toContain('23505');
    expect(out).toContain('"CI":"1"');
  });
});
