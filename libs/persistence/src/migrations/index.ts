import { CreateOutbox1732350000000 } from '../outbox';
import { CoreTables1732350001000 } from './1732350001000-core-tables';
import { EventLog1732350002000 } from './1732350002000-event-log';
import { QueuePolicies1732350004000 } from './1732350004000-queue-policies';
import { Repairs1732350005000 } from './1732350005000-repairs';
import { Workflows1732350003000 } from './1732350003000-workflows';
import { Analyzer1732350006000 } from './1732350006000-analyzer';
import { NodeRestarts1732350007000 } from './1732350007000-node-restarts';

/** Every migration, in order. New ones are appended with a later timestamp; never edit a landed one. */
export const MIGRATIONS = [CreateOutbox1732350000000, CoreTables1732350001000, EventLog1732350002000, QueuePolicies1732350004000, Repairs1732350005000, Workflows1732350003000, Analyzer1732350006000, NodeRestarts1732350007000];
