import { randomUUID } from 'node:crypto';
import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CreateScheduleSchema } from '@kairos/contracts';
import { authenticatedKeyOf, RequireScope } from '@kairos/runtime';
import { CreateKeySchema, KeyIdSchema } from '../api-keys/api-keys.controller';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { ScheduleIdSchema, ScheduleListQuerySchema } from '../schedules/schedules.controller';
import { SchedulesService } from '../schedules/schedules.service';
import { parseOrThrow } from '../tasks/parse-body';
import { ApiKey, CreatedApiKey, Schedule, ScheduleTick, ScheduleTrigger } from './graphql.types';
import { JSONScalar } from './json.scalar';

const asRest = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const limitQuery = (limit?: number) => (limit === undefined ? {} : { limit });

/**
 * API keys and schedules over GraphQL: the gateway's own services, with REST's validation (the same
 * schemas), scopes and errors. Keys are admin-only and never show a secret except the new key's, once.
 */
@Resolver()
export class AdminResolver {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly schedules: SchedulesService,
  ) {}

  // ---- API keys (admin) ----

  @Query(() => [ApiKey], { description: 'Every API key: id, name, scopes, creation, revocation; never the key or its digest (GET /api/keys)' })
  @RequireScope('admin')
  async apiKeys(): Promise<ApiKey[]> {
    return asRest(await this.keys.list()) as unknown as ApiKey[];
  }

  @Mutation(() => CreatedApiKey, { description: 'Create an API key (POST /api/keys); `key` is the secret, in this answer only' })
  @RequireScope('admin')
  async createApiKey(@Context('req') req: object, @Args('name') name: string, @Args('scopes', { type: () => [String] }) scopes: string[]): Promise<CreatedApiKey> {
    return asRest(await this.keys.create(parseOrThrow(CreateKeySchema, { name, scopes }, 'API key'), authenticatedKeyOf(req)?.keyId ?? 'unknown')) as unknown as CreatedApiKey;
  }

  @Mutation(() => ApiKey, { description: 'Revoke an API key (DELETE /api/keys/:keyId); the last active admin key cannot be revoked' })
  @RequireScope('admin')
  async revokeApiKey(@Context('req') req: object, @Args('keyId', { type: () => ID }) keyId: string): Promise<ApiKey> {
    return asRest(await this.keys.revoke(parseOrThrow(KeyIdSchema, keyId, 'key id'), authenticatedKeyOf(req)?.keyId ?? 'unknown')) as unknown as ApiKey;
  }

  // ---- schedules (definitions in and out as the POST /api/schedules body) ----

  @Query(() => [Schedule], { description: 'Schedules (not deleted), newest first, with breaker state and next tick (GET /api/schedules)' })
  @RequireScope('read')
  async schedulesList(@Args('limit', { type: () => Int, nullable: true }) limit?: number): Promise<Schedule[]> {
    return asRest(await this.schedules.list(parseOrThrow(ScheduleListQuerySchema, limitQuery(limit), 'query').limit));
  }

  @Query(() => Schedule, { description: 'A schedule with its executor state and next tick (GET /api/schedules/:id)' })
  @RequireScope('read')
  async schedule(@Args('id', { type: () => ID }) id: string): Promise<Schedule> {
    return asRest(await this.schedules.get(parseOrThrow(ScheduleIdSchema, id, 'schedule id')));
  }

  @Query(() => [ScheduleTick], { description: 'Tick history of a schedule, newest first (GET /api/schedules/:id/ticks)' })
  @RequireScope('read')
  async scheduleTicks(@Args('id', { type: () => ID }) id: string, @Args('limit', { type: () => Int, nullable: true }) limit?: number): Promise<ScheduleTick[]> {
    return asRest(await this.schedules.ticks(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), parseOrThrow(ScheduleListQuerySchema, limitQuery(limit), 'query').limit));
  }

  @Mutation(() => Schedule, { description: 'Create a schedule (the POST /api/schedules body)' })
  @RequireScope('submit')
  async createSchedule(@Args('input', { type: () => JSONScalar }) input: unknown): Promise<Schedule> {
    return asRest(await this.schedules.create(parseOrThrow(CreateScheduleSchema, input, 'schedule')));
  }

  @Mutation(() => Schedule, { description: 'Pause a schedule (POST /api/schedules/:id/pause)' })
  @RequireScope('operate')
  async pauseSchedule(@Args('id', { type: () => ID }) id: string): Promise<Schedule> {
    return asRest(await this.schedules.setPaused(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), true));
  }

  @Mutation(() => Schedule, { description: 'Resume a schedule from now (POST /api/schedules/:id/resume)' })
  @RequireScope('operate')
  async resumeSchedule(@Args('id', { type: () => ID }) id: string): Promise<Schedule> {
    return asRest(await this.schedules.setPaused(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), false));
  }

  @Mutation(() => ScheduleTrigger, { description: 'Run one tick now, outside the trigger; the submitted tasks (POST /api/schedules/:id/trigger)' })
  @RequireScope('submit')
  async triggerSchedule(@Args('id', { type: () => ID }) id: string): Promise<ScheduleTrigger> {
    return asRest(await this.schedules.trigger(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), randomUUID()));
  }

  @Mutation(() => Schedule, { description: 'Delete a schedule; its history stays readable (DELETE /api/schedules/:id)' })
  @RequireScope('operate')
  async deleteSchedule(@Args('id', { type: () => ID }) id: string): Promise<Schedule> {
    return asRest(await this.schedules.delete(parseOrThrow(ScheduleIdSchema, id, 'schedule id')));
  }
}
