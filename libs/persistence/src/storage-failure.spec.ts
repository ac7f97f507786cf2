import { QueryFailedError } from 'typeorm';
import { classifyStorageFailure, StorageHealth } from './storage-failure';

const pgError = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('classifyStorageFailure', () => {
  it('disk full (SQLSTATE 53100, ENOSPC) is STORAGE_FULL, retry in 30 s', () => {
    expect(classifyStorageFailure(pgError('53100', 'could not extend file "base/1/2": No space left on device'))).toEqual({ code: 'STORAGE_FULL', cause: '53100', retryAfterSeconds: 30 });
    expect(classifyStorageFailure(pgError('ENOSPC'))?.code).toBe('STORAGE_FULL');
    expect(classifyStorageFailure(new Error('write failed: No space left on device'))?.code).toBe('STORAGE_FULL');
  });

  it.each([
    ['connection refused', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'ECONNREFUSED'],
    ['server shutting down', pgError('57P01', 'terminating connection due to administrator command'), '57P01'],
    ['starting up', pgError('57P03'), '57P03'],
    ['connection failure class 08', pgError('08006'), '08006'],
    ['too many connections', pgError('53300'), '53300'],
    ['connection dropped mid-query', new Error('Connection terminated unexpectedly'), 'connection terminated'],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect'), 'connect timeout'],
  ])('%s is STORAGE_UNAVAILABLE, retry in 5 s', (_what, err, cause) => {
    expect(classifyStorageFailure(err)).toEqual({ code: 'STORAGE_UNAVAILABLE', cause, retryAfterSeconds: 5 });
  });

  it('looks through TypeORM QueryFailedError.driverError and error causes', () => {
    const wrapped = new QueryFailedError('INSERT INTO tasks …', [], pgError('53100'));
    expect(classifyStorageFailure(wrapped)?.code).toBe('STORAGE_FULL');
    expect(classifyStorageFailure(new Error('outer', { cause: pgError('ECONNRESET') }))?.code).toBe('STORAGE_UNAVAILABLE');
    expect(classifyStorageFailure(Object.assign(new Error('AggregateError'), { errors: [pgError('ECONNREFUSED')] }))?.code).toBe('STORAGE_UNAVAILABLE');
  });

  it.each([
    ['a unique violation', pgError('23505')],
    ['invalid text (client data)', pgError('22021')],
    ['a syntax error', pgError('42601')],
    ['a plain error', new Error('nope')],
    ['not an error', 'string'],
    ['null', null],
  ])('%s is not a storage failure', (_what, err) => {
    expect(classifyStorageFailure(err)).toBeNull();
  });
});

describe('StorageHealth', () => {
  const full = { code: 'STORAGE_FULL' as const, cause: '53100', retryAfterSeconds: 30 };
  const down = { code: 'STORAGE_UNAVAILABLE' as const, cause: 'ECONNREFUSED', retryAfterSeconds: 5 };
  it('disk full holds for fullHoldMs after the last disk-full error, even while other statements succeed', () => {
    let t = 1000;
    const h = new StorageHealth(() => t, 30_000);
    expect(h.current()).toBeNull();
    h.failed(full);
    t += 10_000;
    h.succeeded();
    expect(h.current()).toMatchObject({ code: 'STORAGE_FULL', at: 1000 });
    h.failed(full); // still failing: the hold restarts
    t += 25_000;
    expect(h.current()).toMatchObject({ code: 'STORAGE_FULL', at: 11_000 });
    t += 6_000;
    expect(h.current()).toBeNull();
  });
  it('unreachable holds until a statement succeeds', () => {
    let t = 0;
    const h = new StorageHealth(() => t);
    h.failed(down);
    t = 600_000;
    expect(h.current()).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    h.succeeded();
    expect(h.current()).toBeNull();
  });
  it('reports disk full before unreachable when both hold', () => {
    const h = new StorageHealth(() => 0);
    h.failed(down);
    h.failed(full);
    expect(h.current()?.code).toBe('STORAGE_FULL');
  });
});
