import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import { GraphQLError, parse } from 'graphql';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { DeadLettersModule } from '../dead-letters/dead-letters.module';
import { DecisionsModule } from '../decisions/decisions.module';
import { QueuesModule } from '../queues/queues.module';
import { RepairsModule } from '../repairs/repairs.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { StatsModule } from '../stats/stats.module';
import { TasksModule } from '../tasks/tasks.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { AdminResolver } from './admin.resolver';
import { AnalyzerResolver } from './analyzer.resolver';
import { CollectorResolver } from './collector.resolver';
import { DecisionsResolver } from './decisions.resolver';
import { KairosResolver } from './kairos.resolver';
import { OwnerRestClient } from './owner-rest.client';
import { queryLimitErrors, queryLimitsRule } from './query-limits';

/** What the guard reads: the HTTP request, or for a subscription its connection parameters as headers. */
interface GraphQLRequestContext {
  req: Pick<Request, 'headers'> & { method?: string };
  res?: Response;
}

type ContextInput = {
  req?: Request;
  res?: Response;
  connectionParams?: Readonly<Record<string, unknown>>;
  /** graphql-ws: the socket and the HTTP upgrade request that opened it. */
  extra?: { request?: { headers?: IncomingHttpHeaders } };
};

/** The verb the guard sees for a subscription authenticated by the session cookie: not a safe method, so it must carry this server's Origin. */
export const SUBSCRIPTION_UPGRADE_METHOD = 'UPGRADE';

/**
 * A subscription authenticates with `connectionParams: { authorization: 'Bearer <key>' }` (or
 * `x-api-key`) — never with a key in the URL — or, for the dashboard, with the session cookie of the
 * upgrade request. A cookie-authenticated upgrade is treated like a state-changing request: the guard
 * accepts it only with an Origin of this server (or an ALLOWED_ORIGINS entry), so a page on another
 * origin cannot open the socket with the user's cookie (cross-site WebSocket hijacking).
 */
export function graphqlContext(input: ContextInput): GraphQLRequestContext {
  if (input.req) return { req: input.req, res: input.res };
  const params = input.connectionParams ?? {};
  const headers: Record<string, string> = {};
  const auth = params.authorization ?? params.Authorization;
  if (typeof auth === 'string') headers.authorization = auth;
  if (typeof params['x-api-key'] === 'string') headers['x-api-key'] = params['x-api-key'];
  const upgrade = input.extra?.request?.headers;
  if (!headers.authorization && !headers['x-api-key'] && typeof upgrade?.cookie === 'string') {
    headers.cookie = upgrade.cookie;
    if (typeof upgrade.origin === 'string') headers.origin = upgrade.origin;
    if (typeof upgrade.host === 'string') headers.host = upgrade.host;
    return { req: { headers, method: SUBSCRIPTION_UPGRADE_METHOD } };
  }
  return { req: { headers } };
}

/**
 * GraphQL at /graphql (Apollo Server through @nestjs/graphql, code-first), subscriptions over
 * graphql-ws on the same path. Depth and field-count limits on every operation; no playground (the
 * schema is introspectable for tools such as GraphiQL run elsewhere).
 */
@Module({
  imports: [
    TasksModule,
    WorkflowsModule,
    QueuesModule,
    StatsModule,
    DeadLettersModule,
    DecisionsModule,
    RepairsModule,
    ApiKeysModule,
    SchedulesModule,
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: ApolloDriver,
      path: '/graphql',
      autoSchemaFile: true,
      sortSchema: true,
      playground: false,
      introspection: true,
      validationRules: [queryLimitsRule()],
      context: graphqlContext,
      subscriptions: {
        'graphql-ws': {
          path: '/graphql',
          onSubscribe: (_ctx: unknown, _id: string, payload: { query: string }) => {
            let errors: GraphQLError[];
            try {
              errors = queryLimitErrors(parse(payload.query));
            } catch {
              return undefined; // a syntax error: graphql-ws reports it itself
            }
            return errors.length ? errors : undefined;
          },
        },
      },
      // Stable codes stay in extensions.code (Apollo relabels every validation error
      // GRAPHQL_VALIDATION_FAILED; the limits' own codes are restored); stack traces never leave the server.
      includeStacktraceInErrorResponses: false,
      formatError: (formatted, error) => {
        const original = (error as GraphQLError).originalError;
        const code = original instanceof GraphQLError ? original.extensions.code : undefined;
        return typeof code === 'string' && code.startsWith('QUERY_TOO_') ? { ...formatted, extensions: { ...formatted.extensions, code } } : formatted;
      },
    }),
  ],
  providers: [KairosResolver, AnalyzerResolver, CollectorResolver, AdminResolver, DecisionsResolver, OwnerRestClient],
})
export class KairosGraphQLModule {}
