import { randomUUID } from 'node:crypto';
import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CreateScheduleSchema } from '@kairos/contracts';
import { authenticatedKeyOf, RequireScope, tenantAccessOf } from '@kairos/runtime';
import { CreateKeySchema, KeyIdSchema } from '../api-keys/api-keys.controller';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { ScheduleIdSchema, ScheduleListQuerySchema, ScheduleTicksQuerySchema } from '../schedules/schedules.controller';
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
  async createApiKey(
    @Context('req') req: object,
    @Args('name') name: string,
    @Args('scopes', { type: () => [String] }) scopes: string[],
    @Args('tenant', { nullable: true, description: "the key's tenant (default: the creating key's)" }) tenant?: string,
  ): Promise<CreatedApiKey> {
    return asRest(await this.keys.create(parseOrThrow(CreateKeySchema, { name, scopes, ...(tenant === undefined ? {} : { tenant }) }, 'API key'), authenticatedKeyOf(req)?.keyId ?? 'unknown', tenantAccessOf(req).tenant)) as unknown as CreatedApiKey;
  }

  @Mutation(() => ApiKey, { description: 'Revoke an API key (DELETE /api/keys/:keyId); the last active admin key cannot be revoked' })
  @RequireScope('admin')
  async revokeApiKey(@Context('req') req: object, @Args('keyId', { type: () => ID }) keyId: string): Promise<ApiKey> {
    return asRest(await this.keys.revoke(parseOrThrow(KeyIdSchema, keyId, 'key id'), authenticatedKeyOf(req)?.keyId ?? 'unknown')) as unknown as ApiKey;
  }

  // ---- schedules (definitions in and out as the POST /api/schedules body) ----

  @Query(() => [Schedule], { description: 'Schedules (not deleted), newest first, with breaker state and next tick (GET /api/schedules)' })
  @RequireScope('read')
  async schedulesList(
    @Context('req') req: object,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('tenant', { nullable: true, description: "Admin keys only: one tenant's schedules" }) tenant?: string,
  ): Promise<Schedule[]> {
    const q = parseOrThrow(ScheduleListQuerySchema, { ...limitQuery(limit), ...(tenant === undefined ? {} : { tenant }) }, 'query');
    return asRest(await this.schedules.list(q.limit, tenantAccessOf(req), q.tenant));
  }

  @Query(() => Schedule, { description: 'A schedule with its executor state and next tick (GET /api/schedules/:id)' })
  @RequireScope('read')
  async schedule(@Context('req') req: object, @Args('id', { type: () => ID }) id: string): Promise<Schedule> {
    return asRest(await this.schedules.get(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), tenantAccessOf(req)));
  }

  @Query(() => [ScheduleTick], { description: 'Tick history of a schedule, newest first (GET /api/schedules/:id/ticks)' })
  @RequireScope('read')
  async scheduleTicks(@Context('req') req: object, @Args('id', { type: () => ID }) id: string, @Args('limit', { type: () => Int, nullable: true }) limit?: number): Promise<ScheduleTick[]> {
    return asRest(await this.schedules.ticks(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), parseOrThrow(ScheduleTicksQuerySchema, limitQuery(limit), 'query').limit, tenantAccessOf(req)));
  }

  @Mutation(() => Schedule, { description: 'Create a schedule (the POST /api/schedules body)' })
  @RequireScope('submit')
  async createSchedule(@Context('req') req: object, @Args('input', { type: () => JSONScalar }) input: unknown): Promise<Schedule> {
    return asRest(await this.schedules.create(parseOrThrow(CreateScheduleSchema, input, 'schedule'), new Date(), tenantAccessOf(req).tenant));
  }

  @Mutation(() => Schedule, { description: 'Pause a schedule (POST /api/schedules/:id/pause)' })
  @RequireScope('operate')
  async pauseSchedule(@Context('req') req: object, @Args('id', { type: () => ID }) id: string): Promise<Schedule> {
    return asRest(await this.schedules.setPaused(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), true, tenantAccessOf(req)));
  }

  @Mutation(() => Schedule, { description: 'Resume a schedule from now (POST /api/schedules/:id/resume)' })
  @RequireScope('operate')
  async resumeSchedule(@Context('req') req: object, @Args('id', { type: () => ID }) id: string): Promise<Schedule> {
    return asRest(await this.schedules.setPaused(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), false, tenantAccessOf(req)));
  }

  @Mutation(() => ScheduleTrigger, { description: 'Run one tick now, outside the trigger; the submitted tasks (POST /api/schedules/:id/trigger)' })
  @RequireScope('submit')
  async triggerSchedule(@Context('req') req: object, @Args('id', { type: () => ID }) id: string): Promise<ScheduleTrigger> {
    return asRest(await this.schedules.trigger(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), randomUUID(), new Date(), tenantAccessOf(req)));
  }

  @Mutation(() => Schedule, { description: 'Delete a schedule; its history stays readable (DELETE /api/schedules/:id)' })
  @RequireScope('operate')
  async deleteSchedule(@Context('req') req: object, @Args('id', { type: () => ID }) id: string): Promise<Schedule> {
    return asRest(await this.schedules.delete(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), tenantAccessOf(req)));
  }
}
