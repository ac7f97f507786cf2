import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';

export const TICK_REPOSITORY = Symbol('TICK_REPOSITORY');

/** analyzer_ticks: one claim per periodic job and time slot, so one replica runs each round. */
export interface TickRepository {
  /** True for the first replica to claim (job, slot). */
  claim(job: string, slot: number, by: string): Promise<boolean>;
}

@Injectable()
export class PgTickRepository implements TickRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async claim(job: string, slot: number, by: string): Promise<boolean> {
    const won = await this.db.query(`INSERT INTO analyzer_ticks (job, slot, claimed_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING slot`, [job, slot, by]);
    return won.length > 0;
  }
}
