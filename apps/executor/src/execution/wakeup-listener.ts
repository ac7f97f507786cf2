import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Client } from 'pg';
import type { KairosConfig } from '@kairos/platform';
import { APP_IDENTITY, CONFIG, type AppIdentity } from '@kairos/runtime';
import { ExecutorService } from './executor.service';

/** The channel the `tasks` triggers notify (migration Wakeups1732350029000). */
export const WAKEUP_CHANNEL = 'kairos_wakeup';
const RECONNECT_MS = 1_000;

/**
 * Cross-replica wake-ups: LISTENs on `kairos_wakeup` on its own PostgreSQL connection and runs its
 * scheduling pass at once on each notification (a task added or changing status anywhere), so a queue's
 * owner does not wait for its next 250 ms pass to hear of another replica's completions or of a
 * submission whose event another replica consumed, nor an executor to adopt an attempt placed on its node. Best effort: without it (connection lost, reconnecting every second)
 * the periodic pass still schedules everything. Only with a PostgreSQL server (DATABASE_URL): on
 * embedded PGlite there is one executor, woken in-process.
 */
@Injectable()
export class WakeupListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private client: Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly logger: AppIdentity['logger'];
  /** Notifications received (tests and the status read it). */
  received = 0;

  constructor(
    @Inject(CONFIG) private readonly config: Pick<KairosConfig, 'DATABASE_URL'>,
    @Inject(ExecutorService) private readonly executor: Pick<ExecutorService, 'kick'>,
    @Inject(APP_IDENTITY) id: AppIdentity,
  ) {
    this.logger = id.logger;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.DATABASE_URL) await this.connect();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const c = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'kairos-executor-wakeup', connectionTimeoutMillis: 5_000 });
    c.on('notification', () => {
      this.received++;
      this.executor.kick();
    });
    const lost = (err?: unknown) => {
      if (this.client !== c) return;
      this.client = null;
      c.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn({ err }, 'wake-up listener lost its connection; reconnecting (the periodic pass schedules meanwhile)');
      this.retry = setTimeout(() => void this.connect(), RECONNECT_MS);
    };
    c.on('error', lost);
    c.on('end', () => lost());
    this.client = c;
    try {
      await c.connect();
      await c.query(`LISTEN ${WAKEUP_CHANNEL}`);
    } catch (err) {
      lost(err);
    }
  }
}
