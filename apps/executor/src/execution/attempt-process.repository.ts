import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';

export const ATTEMPT_PROCESS_REPOSITORY = Symbol('ATTEMPT_PROCESS_REPOSITORY');

/** One shell attempt's process group, as the executor that started it recorded it. */
export interface AttemptProcessRecord {
  taskId: string;
  attempt: number;
  /** os.hostname() and /proc/sys/kernel/random/boot_id: pids and start times mean something only on that host, in that boot. */
  host: string;
  bootId: string;
  pid: number;
  pgid: number;
  /** /proc/<pid>/stat field 22 (clock ticks after boot). */
  startTime: number;
  /** The executor process that started it (its pid and start time): alive means the group is still its business. */
  executorPid: number;
  executorStartTime: number;
}

/** attempt_processes (executor): one row per shell attempt, ended when its group is known gone. */
export interface AttemptProcessRepository {
  record(r: AttemptProcessRecord): Promise<void>;
  /** The group is gone (the attempt ended, or a sweep killed it); `reason` says how. */
  markEnded(taskId: string, attempt: number, reason: string): Promise<void>;
  /** Rows of this host whose group was not yet seen gone; only those of `taskId` when given. */
  open(host: string, taskId?: string): Promise<AttemptProcessRecord[]>;
}

interface Row {
  task_id: string;
  attempt: number;
  host: string;
  boot_id: string;
  pid: number;
  pgid: number;
  start_time: string;
  executor_pid: number;
  executor_start_time: string;
}

@Injectable()
export class PgAttemptProcessRepository implements AttemptProcessRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async record(r: AttemptProcessRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO attempt_processes (task_id, attempt, host, boot_id, pid, pgid, start_time, executor_pid, executor_start_time)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (task_id, attempt) DO UPDATE SET host = EXCLUDED.host, boot_id = EXCLUDED.boot_id, pid = EXCLUDED.pid, pgid = EXCLUDED.pgid,
         start_time = EXCLUDED.start_time, executor_pid = EXCLUDED.executor_pid, executor_start_time = EXCLUDED.executor_start_time,
         recorded_at = now(), ended_at = NULL, end_reason = NULL`,
      [r.taskId, r.attempt, r.host, r.bootId, r.pid, r.pgid, String(r.startTime), r.executorPid, String(r.executorStartTime)],
    );
  }

  async markEnded(taskId: string, attempt: number, reason: string): Promise<void> {
    await this.db.query(`UPDATE attempt_processes SET ended_at = now(), end_reason = $3 WHERE task_id = $1 AND attempt = $2 AND ended_at IS NULL`, [taskId, attempt, reason]);
  }

  async open(host: string, taskId?: string): Promise<AttemptProcessRecord[]> {
    const rows = await this.db.query<Row>(
      `SELECT task_id, attempt, host, boot_id, pid, pgid, start_time, executor_pid, executor_start_time FROM attempt_processes
       WHERE host = $1 AND ended_at IS NULL AND ($2::uuid IS NULL OR task_id = $2::uuid) ORDER BY recorded_at`,
      [host, taskId ?? null],
    );
    return rows.map((r) => ({
      taskId: r.task_id,
      attempt: r.attempt,
      host: r.host,
      bootId: r.boot_id,
      pid: r.pid,
      pgid: r.pgid,
      startTime: Number(r.start_time),
      executorPid: r.executor_pid,
      executorStartTime: Number(r.executor_start_time),
    }));
  }
}
