import { Module } from '@nestjs/common';
import type { MigrationClass } from '@kairos/persistence';
import { DashboardModule } from './dashboard/dashboard.module';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { KairosGraphQLModule } from './graphql/kairos-graphql.module';
import { QueuesModule } from './queues/queues.module';
import { RepairsModule } from './repairs/repairs.module';
import { StatsModule } from './stats/stats.module';
import { TasksModule } from './tasks/tasks.module';
import { WorkflowsModule } from './workflows/workflows.module';

/** The gateway: REST and GraphQL APIs, dashboard, dead-letter store. */
@Module({ imports: [TasksModule, WorkflowsModule, QueuesModule, RepairsModule, DeadLettersModule, StatsModule, KairosGraphQLModule, DashboardModule] })
export class GatewayModule {}

/** The gateway's own migrations: none beyond the baseline (dead_letters is in libs/persistence's EventLog). */
export const GATEWAY_MIGRATIONS: MigrationClass[] = [];
