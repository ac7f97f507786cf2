import { Inject, Injectable } from '@nestjs/common';
import type { Envelope } from '@kairos/contracts';
import { DEAD_LETTER_REPOSITORY, type DeadLetterRepository, type DeadLetterView } from './dead-letter.repository';

/** Dead letters kept for operators: stored once per event, newest first. */
@Injectable()
export class DeadLetterService {
  constructor(@Inject(DEAD_LETTER_REPOSITORY) private readonly deadLetters: DeadLetterRepository) {}

  store(e: Envelope<'kairos.deadletter.v1'>): Promise<void> {
    return this.deadLetters.store(e);
  }

  recent(limit = 200): Promise<DeadLetterView[]> {
    return this.deadLetters.recent(limit);
  }
}
