import { Inject, Injectable } from '@nestjs/common';
import type { Schedule } from '@kairos/contracts';
import { DATABASE, type Database } from '@kairos/persistence';

export const SCHEDULE_REPOSITORY = Symbol('GATEWAY_SCHEDULE_REPOSITORY');

export interface ScheduleRow {
  id: string;
  name: string;
  tenant: string;
  definition: Schedule;
  paused: boolean;
  revision: string;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  decided_through: Date | null;
  breaker: unknown;
}

export interface TickRow {
  tick_at: Date;
  shard: number;
  shard_count: number;
  outcome: 'fired' | 'skipped';
  skip_reason: string | null;
  detail: string | null;
  task_id: string | null;
  fire_at: Date | null;
  fired_at: Date | null;
  catch_up: boolean;
  trial: boolean;
  task_status: string | null;
  attempts: number | null;
  started_at: Date | null;
  finished_at: Date | null;
}

/**
 * What the gateway writes and reads of the schedules tables (the executor owns them and their
 * migration; the gateway inserts and updates definitions — every write bumps `revision`, which the
 * executors reload by — and reads the executor's state and tick history).
 */
export interface ScheduleRepository {
  insert(schedule: Schedule, hash: number, tenant: string): Promise<ScheduleRow>;
  findById(id: string): Promise<ScheduleRow | undefined>;
  /** Newest first; of one tenant when given. */
  list(limit: number, tenant?: string): Promise<ScheduleRow[]>;
  /** Sets `paused` (in the row and its definition); undefined when no live schedule has this id. */
  setPaused(id: string, paused: boolean): Promise<ScheduleRow | undefined>;
  /** Marks it deleted (executors stop planning it); its history stays readable. */
  markDeleted(id: string): Promise<ScheduleRow | undefined>;
  ticks(id: string, limit: number): Promise<TickRow[]>;
}

const SELECT = `SELECT s.id, s.name, s.tenant, s.definition, s.paused, s.revision, s.created_at, s.updated_at, s.deleted_at, st.decided_through, st.breaker
  FROM schedules s LEFT JOIN schedule_state st ON st.schedule_id = s.id`;

@Injectable()
export class PgScheduleRepository implements ScheduleRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async insert(schedule: Schedule, hash: number, tenant: string): Promise<ScheduleRow> {
    const [row] = await this.db.query<ScheduleRow>(
      `WITH s AS (
         INSERT INTO schedules (id, name, definition, paused, hash, created_at, tenant) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7) RETURNING *
       ) SELECT s.id, s.name, s.tenant, s.definition, s.paused, s.revision, s.created_at, s.updated_at, s.deleted_at, NULL::timestamptz AS decided_through, NULL::jsonb AS breaker FROM s`,
      [schedule.id, schedule.name, JSON.stringify(schedule), schedule.paused, hash, schedule.createdAt, tenant],
    );
    return row as ScheduleRow;
  }

  async findById(id: string): Promise<ScheduleRow | undefined> {
    const [row] = await this.db.query<ScheduleRow>(`${SELECT} WHERE s.id = $1`, [id]);
    return row;
  }

  list(limit: number, tenant?: string): Promise<ScheduleRow[]> {
    return this.db.query<ScheduleRow>(`${SELECT} WHERE s.deleted_at IS NULL AND ($2::text IS NULL OR s.tenant = $2) ORDER BY s.created_at DESC, s.id LIMIT $1`, [limit, tenant ?? null]);
  }

  async setPaused(id: string, paused: boolean): Promise<ScheduleRow | undefined> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE schedules SET paused = $2, definition = jsonb_set(definition, '{paused}', to_jsonb($2::boolean)),
         revision = nextval('schedule_revision_seq'), updated_at = now()
       WHERE id = $1 AND deleted_at IS NULL RETURNING id`,
      [id, paused],
    );
    return rows.length === 0 ? undefined : this.findById(id);
  }

  async markDeleted(id: string): Promise<ScheduleRow | undefined> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE schedules SET deleted_at = now(), revision = nextval('schedule_revision_seq'), updated_at = now()
       WHERE id = $1 AND deleted_at IS NULL RETURNING id`,
      [id],
    );
    return rows.length === 0 ? undefined : this.findById(id);
  }

  ticks(id: string, limit: number): Promise<TickRow[]> {
    return this.db.query<TickRow>(
      `SELECT st.tick_at, st.shard, st.shard_count, st.outcome, st.skip_reason, st.detail, st.task_id, st.fire_at, st.fired_at,
              st.catch_up, st.trial, t.status AS task_status, t.attempts, t.started_at, t.finished_at
       FROM schedule_ticks st LEFT JOIN tasks t ON t.id = st.task_id
       WHERE st.schedule_id = $1 ORDER BY st.tick_at DESC, st.shard LIMIT $2`,
      [id, limit],
    );
  }
}
