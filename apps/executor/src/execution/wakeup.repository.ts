import { Client } from 'pg';
import type { Logger } from 'pino';

/** The channel the `tasks` triggers notify (migration Wakeups1732350029000). */
export const WAKEUP_CHANNEL = 'kairos_wakeup';
const RECONNECT_MS = 1_000;

/**
 * A LISTEN on `kairos_wakeup` over its own PostgreSQL connection (not the pool: a listening session
 * must stay open), calling `onWake` for each notification; reconnects every second after a loss.
 */
export class PgWakeupSubscription {
  private client: Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Notifications received. */
  received = 0;

  constructor(
    private readonly url: string,
    private readonly onWake: () => void,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const c = new Client({ connectionString: this.url, application_name: 'kairos-executor-wakeup', connectionTimeoutMillis: 5_000 });
    c.on('notification', () => {
      this.received++;
      this.onWake();
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
