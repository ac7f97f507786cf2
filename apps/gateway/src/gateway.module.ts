import { Module } from '@nestjs/common';
import type { MigrationClass } from '@kairos/persistence';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { GATEWAY_OWN_MIGRATIONS } from './database/migrations';
import { DashboardModule } from './dashboard/dashboard.module';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { DecisionsModule } from './decisions/decisions.module';
import { KairosGraphQLModule } from './graphql/kairos-graphql.module';
import { QueuesModule } from './queues/queues.module';
import { RepairsModule } from './repairs/repairs.module';
import { SchedulesModule } from './schedules/schedules.module';
import { StatsModule } from './stats/stats.module';
import { TasksModule } from './tasks/tasks.module';
import { TenantsModule } from './tenants/tenants.module';
import { WorkflowsModule } from './workflows/workflows.module';

/** The gateway: REST and GraphQL APIs, API keys, schedules, dashboard, dead-letter store. */
@Module({ imports: [ApiKeysModule, TenantsModule, TasksModule, WorkflowsModule, QueuesModule, RepairsModule, SchedulesModule, DeadLettersModule, DecisionsModule, StatsModule, KairosGraphQLModule, DashboardModule] })
export class GatewayModule {}

/** The gateway's own migrations beyond the baseline (dead_letters is in libs/persistence's EventLog): api_keys, tenant_quotas. */
export const GATEWAY_MIGRATIONS: MigrationClass[] = [...GATEWAY_OWN_MIGRATIONS];
