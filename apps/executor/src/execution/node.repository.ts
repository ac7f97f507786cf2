import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';

export const NODE_REPOSITORY = Symbol('NODE_REPOSITORY');

export interface NodeFlags {
  id: string;
  cordoned: boolean;
  restartRequestedAt: Date | null;
}

export interface NodeHeartbeat {
  id: string;
  executorId: string;
  cpuMillis: number;
  memMb: number;
  /** GPU devices the node declares (absent or 0: none). */
  gpus?: number;
  status: 'ready' | 'cordoned';
  running: number;
}

/** A node of any executor as a queue owner plans on it: capacity, and what runs there now (from tasks). */
export interface ClusterNode {
  id: string;
  executorId: string;
  cpuMillis: number;
  memMb: number;
  cordoned: boolean;
  usedCpu: number;
  usedMem: number;
  running: number;
  /** GPU devices the node declares, and how many its running tasks requested. */
  gpuCount: number;
  usedGpu: number;
}

/** nodes (executor): registration, heartbeats, and the cordon / restart marks repairs set. */
export interface NodeRepository {
  /** Every node whose heartbeat is younger than `freshMs`, with the running tasks' requests summed per node. */
  clusterView(freshMs: number): Promise<ClusterNode[]>;
  flags(nodeIds: string[]): Promise<NodeFlags[]>;
  heartbeat(node: NodeHeartbeat): Promise<void>;
  /** Marks nodes whose heartbeat is older than `olderThanMs` lost, and lost ones older than `retireAfterMs` retired. */
  markLost(olderThanMs: number, retireAfterMs: number): Promise<void>;
}

@Injectable()
export class PgNodeRepository implements NodeRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async clusterView(freshMs: number): Promise<ClusterNode[]> {
    const rows = await this.db.query<{ id: string; executor_id: string; cpu_millis: number; mem_mb: number; status: string; cordoned: boolean; used_cpu: string | number; used_mem: string | number; running: number; gpus: number; used_gpu: string | number }>(
      `SELECT n.id, n.executor_id, n.cpu_millis, n.mem_mb, n.status, n.cordoned, n.gpus,
         COALESCE(u.cpu, 0) AS used_cpu, COALESCE(u.mem, 0) AS used_mem, COALESCE(u.n, 0)::int AS running, COALESCE(u.gpu, 0) AS used_gpu
       FROM nodes n LEFT JOIN (
         SELECT node_id, sum((resources->>'cpuMillis')::float8) AS cpu, sum((resources->>'memMb')::float8) AS mem, count(*) AS n,
           sum(COALESCE((resources->>'gpu')::float8, 0)) AS gpu
         FROM tasks WHERE status = 'running' GROUP BY node_id
       ) u ON u.node_id = n.id
       WHERE n.status <> 'lost' AND n.last_heartbeat_at > now() - ($1 || ' milliseconds')::interval
       ORDER BY n.id`,
      [String(freshMs)],
    );
    return rows.map((r) => ({
      id: r.id,
      executorId: r.executor_id,
      cpuMillis: r.cpu_millis,
      memMb: r.mem_mb,
      cordoned: r.cordoned || r.status === 'cordoned',
      usedCpu: Number(r.used_cpu),
      usedMem: Number(r.used_mem),
      running: r.running,
      gpuCount: Number(r.gpus),
      usedGpu: Number(r.used_gpu),
    }));
  }

  async flags(nodeIds: string[]): Promise<NodeFlags[]> {
    const rows = await this.db.query<{ id: string; cordoned: boolean; restart_requested_at: Date | string | null }>(
      `SELECT id, cordoned, restart_requested_at FROM nodes WHERE id = ANY($1::text[])`,
      [nodeIds],
    );
    return rows.map((r) => ({ id: r.id, cordoned: r.cordoned, restartRequestedAt: r.restart_requested_at ? new Date(r.restart_requested_at) : null }));
  }

  async heartbeat(n: NodeHeartbeat): Promise<void> {
    await this.db.query(
      `INSERT INTO nodes (id, executor_id, cpu_millis, mem_mb, status, running, gpus, last_heartbeat_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (id) DO UPDATE SET executor_id = $2, cpu_millis = $3, mem_mb = $4, status = $5, running = $6, gpus = $7, last_heartbeat_at = now()`,
      [n.id, n.executorId, n.cpuMillis, n.memMb, n.status, n.running, n.gpus ?? 0],
    );
  }

  async markLost(olderThanMs: number, retireAfterMs: number): Promise<void> {
    await this.db.query(
      `UPDATE nodes SET status = CASE WHEN last_heartbeat_at < now() - ($2 || ' milliseconds')::interval THEN 'retired' ELSE 'lost' END
       WHERE status NOT IN ('lost', 'retired') AND last_heartbeat_at < now() - ($1 || ' milliseconds')::interval
          OR status = 'lost' AND last_heartbeat_at < now() - ($2 || ' milliseconds')::interval`,
      [String(olderThanMs), String(Math.max(retireAfterMs, olderThanMs))],
    );
  }
}
