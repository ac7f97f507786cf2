import { queryParams, intParam, uuidParam } from '@kairos/contracts';
import { clientDataErrorOf } from './database-error';
import { parseParam, RequestParamError } from './request-params';

describe('parseParam', () => {
  it('names the path parameter once', () => {
    const e = (() => {
      try {
        parseParam(uuidParam('task id'), 'abc', 'task id');
      } catch (err) {
        return err as RequestParamError;
      }
      throw new Error('accepted');
    })();
    expect(e).toBeInstanceOf(RequestParamError);
    expect(e.getStatus()).toBe(400);
    expect(e.issues).toEqual(['task id must be a UUID']);
  });

  it('names the query field, refuses repeats and unknown parameters', () => {
    const q = queryParams({ limit: intParam({ min: 1, max: 10, default: 5 }) });
    expect(parseParam(q, {}, 'query')).toEqual({ limit: 5 });
    expect(() => parseParam(q, { limit: ['1', '2'] }, 'query')).toThrow(/query\.limit/);
    expect(() => parseParam(q, { limit: '11' }, 'query')).toThrow('invalid query: query.limit: must be at most 10');
    expect(() => parseParam(q, { lmit: '1' }, 'query')).toThrow(/lmit/);
  });
});

describe('clientDataErrorOf', () => {
  it('maps PostgreSQL errors caused by client values to 4xx, by driverError or code', () => {
    expect(clientDataErrorOf({ driverError: { code: '22P05' } })).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(clientDataErrorOf({ code: '54000' })).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(clientDataErrorOf({ code: '23505' })).toMatchObject({ status: 409 });
    expect(clientDataErrorOf({ code: '22999' })).toMatchObject({ status: 400 });
  });

  it('leaves server-side failures alone (storage, connection, unknown)', () => {
    expect(clientDataErrorOf({ code: '53100' })).toBeNull();
    expect(clientDataErrorOf({ code: '08006' })).toBeNull();
    expect(clientDataErrorOf({ code: 'ECONNREFUSED' })).toBeNull();
    expect(clientDataErrorOf(new Error('x'))).toBeNull();
    expect(clientDataErrorOf(null)).toBeNull();
  });
});
