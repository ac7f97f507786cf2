import { Inject, Injectable } from '@nestjs/common';
import type { Envelope } from '@kairos/contracts';
import { keysetOf, pageFrom, type Page } from '@kairos/runtime';
import { DEAD_LETTER_REPOSITORY, type DeadLetterRepository, type DeadLetterView } from './dead-letter.repository';

/** Dead letters kept for operators: stored once per event, newest first. */
@Injectable()
export class DeadLetterService {
  constructor(@Inject(DEAD_LETTER_REPOSITORY) private readonly deadLetters: DeadLetterRepository) {}

  store(e: Envelope<'kairos.deadletter.v1'>): Promise<void> {
    return this.deadLetters.store(e);
  }

  /** A page, newest first (each message cut to its first 1,000 characters). */
  async recent(filter: { limit: number; cursor?: string }): Promise<Page<DeadLetterView>> {
    const rows = await this.deadLetters.recent(filter.limit + 1, keysetOf(filter.cursor));
    return pageFrom(rows, filter.limit, (r) => r.eventId, ({ cursor_t: _t, ...r }) => ({ ...r, originalBytes: Number(r.originalBytes) }));
  }
}
