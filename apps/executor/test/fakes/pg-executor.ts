import type { ClientProxy } from '@nestjs/microservices';
import type { RunSpec } from '@kairos/contracts';
import { KairosBusClient } from '@kairos/bus';
import type { Database } from '@kairos/persistence';
import { systemClock } from '@kairos/platform';
import { KickCounter, RecordingEventBus, testIdentity } from '@kairos/testing';
import type { ExecutorSettings } from '../../src/core/executor-settings';
import { PgDecisionRepository } from '../../src/execution/decision.repository';
import { ExecutorService } from '../../src/execution/executor.service';
import { PgNodeRepository } from '../../src/execution/node.repository';
import { currentHostIdentity, OrphanGuard } from '../../src/execution/orphan-guard';
import { PgQueueOwnerRepository } from '../../src/execution/queue-owner.repository';
import { PgQueuePolicyRepository } from '../../src/execution/queue-policy.repository';
import { ProcessGroupReaper } from '../../src/runners/process-group.reaper';
import type { TaskRunner } from '../../src/runners/runner.port';
import { PgTaskRepository } from '../../src/tasks/task.repository';
import { InMemoryAttemptProcessRepository } from './in-memory-attempt-processes';
import { FakeResourceSampler } from './in-memory-nodes';

/**
 * A real ExecutorService on PostgreSQL repositories (tasks, nodes, queue policies and owners; decision
 * records with `recordDecisions`), with test doubles only at the edges: a recording bus, a kick counter
 * for the outbox relay, fake resource samples, in-memory attempt-process records. Not started.
 */
export function pgExecutor(db: Database, s: ExecutorSettings, runners: ReadonlyMap<RunSpec['kind'], TaskRunner>, o: { recordDecisions?: boolean } = {}): ExecutorService {
  return new ExecutorService(
    new PgTaskRepository(db, s),
    new PgNodeRepository(db),
    new PgQueuePolicyRepository(db),
    new PgQueueOwnerRepository(db),
    runners,
    new FakeResourceSampler(),
    new KairosBusClient(new RecordingEventBus()) as unknown as ClientProxy,
    new KickCounter(),
    systemClock,
    s,
    testIdentity('executor', s.executorId),
    new OrphanGuard(new InMemoryAttemptProcessRepository(), new ProcessGroupReaper(), currentHostIdentity(), null, { warn: () => undefined }),
    undefined,
    undefined,
    o.recordDecisions ? new PgDecisionRepository(db) : undefined,
  );
}
