import { Workflows1732350003000 } from './1732350003000-workflows';
import { QueuePolicies1732350004000 } from './1732350004000-queue-policies';
import { Repairs1732350005000 } from './1732350005000-repairs';
import { NodeRestarts1732350007000 } from './1732350007000-node-restarts';
import { AttemptProcesses1732350011000 } from './1732350011000-attempt-processes';
import { Schedules1732350008000 } from './1732350008000-schedules';
import { QueueOwners1732350012000 } from './1732350012000-queue-owners';
import { SchedulingDecisions1732350020000 } from './1732350020000-scheduling-decisions';
import { Tenants1732350021100 } from './1732350021100-tenants';
import { Retention1732350022000 } from './1732350022000-retention';
import { NodeGpus1732350024000 } from './1732350024000-node-gpus';
import { Wakeups1732350029000 } from './1732350029000-wakeups';

/**
 * The executor's own migrations (tasks' workflow columns, workflow_runs, queue_policies, repair_actions,
 * nodes' repair columns, schedules and their ticks, state and planning leases, attempt_processes,
 * queue_owners, scheduling_decisions, the tenant columns of workflow_runs and schedules (tasks.tenant is in the baseline), task_archive and retention_lease, tasks' retention columns, nodes.gpus). tasks, attempts and nodes themselves are in libs/persistence's baseline.
 * New ones are appended with a later timestamp; never edit or rename a landed one.
 */
export const EXECUTOR_MIGRATIONS = [Workflows1732350003000, QueuePolicies1732350004000, Repairs1732350005000, NodeRestarts1732350007000, Schedules1732350008000, AttemptProcesses1732350011000, QueueOwners1732350012000, SchedulingDecisions1732350020000, Tenants1732350021100, Retention1732350022000, NodeGpus1732350024000, Wakeups1732350029000];
