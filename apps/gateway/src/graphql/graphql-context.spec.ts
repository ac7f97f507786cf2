import { sessionOriginAllowed } from '@kairos/runtime';
import { graphqlContext, SUBSCRIPTION_UPGRADE_METHOD } from './kairos-graphql.module';

describe('graphqlContext (what the key guard reads for GraphQL)', () => {
  const upgrade = (headers: Record<string, string>) => ({ connectionParams: {}, extra: { request: { headers } } });

  it('passes an HTTP request through', () => {
    const req = { headers: { authorization: 'Bearer k' } } as never;
    expect(graphqlContext({ req }).req).toBe(req);
  });

  it('reads a subscription key from the connection parameters, never the cookie beside it', () => {
    const ctx = graphqlContext({ connectionParams: { authorization: 'Bearer k' }, extra: { request: { headers: { cookie: 'kairos_session=x', origin: 'http://a', host: 'a' } } } });
    expect(ctx.req).toEqual({ headers: { authorization: 'Bearer k' } });
  });

  it('uses the upgrade request’s session cookie as a non-safe request, so the guard demands this server’s Origin', () => {
    const ctx = graphqlContext(upgrade({ cookie: 'kairos_session=x', origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' }));
    expect(ctx.req).toEqual({ headers: { cookie: 'kairos_session=x', origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' }, method: SUBSCRIPTION_UPGRADE_METHOD });
    expect(sessionOriginAllowed(ctx.req.method!, ctx.req.headers, [])).toBe(true);
    // A page on another origin (or another port) opening the socket with the user's cookie is refused.
    const foreign = graphqlContext(upgrade({ cookie: 'kairos_session=x', origin: 'http://127.0.0.1:4000', host: '127.0.0.1:3000' }));
    expect(sessionOriginAllowed(foreign.req.method!, foreign.req.headers, [])).toBe(false);
    const none = graphqlContext(upgrade({ cookie: 'kairos_session=x', host: '127.0.0.1:3000' }));
    expect(sessionOriginAllowed(none.req.method!, none.req.headers, [])).toBe(false);
    expect(sessionOriginAllowed(foreign.req.method!, foreign.req.headers, ['http://127.0.0.1:4000'])).toBe(true);
  });

  it('without key or cookie the guard sees no credentials', () => {
    expect(graphqlContext(upgrade({ origin: 'http://a', host: 'a' })).req).toEqual({ headers: {} });
  });
});
