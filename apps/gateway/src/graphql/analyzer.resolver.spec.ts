import { GraphQLError } from 'graphql';
import { AnalyzerResolver } from './analyzer.resolver';
import type { OwnerRestClient, RestCall } from './owner-rest.client';

/** A fake REST side: records each call and answers from `answer`. */
function resolverWith(answer: (c: RestCall) => unknown) {
  const calls: RestCall[] = [];
  const client = {
    call: async (c: RestCall) => {
      calls.push(c);
      const a = answer(c);
      if (a instanceof Error) throw a;
      return a;
    },
  } as unknown as OwnerRestClient;
  return { resolver: new AnalyzerResolver(client), calls };
}
const req = { headers: { authorization: 'Bearer k' } };

describe('AnalyzerResolver (the REST route each field calls)', () => {
  it("calls REST's paths with the caller's headers, query parameters and bodies", async () => {
    const { resolver, calls } = resolverWith(() => ({}));
    await resolver.modelVersions(req, 'a/b');
    await resolver.diagnoses(req, 5, 'c1');
    await resolver.deployModel(req, 'duration', 3, 'gate too strict');
    await resolver.deployModel(req, 'duration', 4);
    await resolver.trainModel(req);
    expect(calls.map((c) => [c.method, c.path, c.body, c.headers])).toEqual([
      ['GET', '/api/models/a%2Fb/versions', undefined, req.headers],
      ['GET', '/api/diagnoses?limit=5&cursor=c1', undefined, req.headers],
      ['POST', '/api/models/duration/versions/3/deploy', { force: { reason: 'gate too strict' } }, req.headers],
      ['POST', '/api/models/duration/versions/4/deploy', {}, req.headers],
      ['POST', '/api/models/duration/train', {}, req.headers],
    ]);
  });

  it('modelEvents waits for a model without versions (MODEL_NOT_FOUND) and ends on any other error', async () => {
    let history: unknown[] | null = null;
    const { resolver } = resolverWith(() => (history ? { name: 'm', versions: [], history } : new GraphQLError('model m not found', { extensions: { code: 'MODEL_NOT_FOUND' } })));
    const events = resolver.modelEvents(req, 'm');
    const first = events.next();
    await new Promise((r) => setTimeout(r, 50));
    history = [{ version: 1, reason: 'register' }];
    expect(await first).toEqual({ value: { version: 1, reason: 'register' }, done: false });
    await events.return?.();

    const failing = resolverWith(() => new GraphQLError('the analyzer is unreachable', { extensions: { code: 'OWNER_UNAVAILABLE' } }));
    await expect(failing.resolver.modelEvents(req, 'm').next()).rejects.toThrow('the analyzer is unreachable');
  });

  it('anomalyEvents refuses a threshold outside 0..1 before polling', () => {
    const { resolver, calls } = resolverWith(() => []);
    expect(() => resolver.anomalyEvents(req, 1.5)).toThrow('threshold: must be between 0 and 1 (got 1.5)');
    expect(calls).toEqual([]);
  });
});
