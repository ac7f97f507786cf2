import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { ConsumerOptions } from '@kairos/bus';
import type { Envelope } from '@kairos/contracts';
import { DEAD_LETTER_REPOSITORY, type DeadLetterRepository } from './dead-letter.repository';

const GROUP: ConsumerOptions = { group: 'gateway-dead-letters', maxAttempts: 3 };

/** Keeps dead letters for operators (GET /api/dead-letters). A broken dead letter is logged, never re-dead-lettered. */
@Controller()
export class DeadLettersConsumer {
  constructor(@Inject(DEAD_LETTER_REPOSITORY) private readonly deadLetters: DeadLetterRepository) {}

  @EventPattern('kairos.deadletter.v1', GROUP)
  onDeadLetter(@Payload() e: Envelope<'kairos.deadletter.v1'>): Promise<void> {
    return this.deadLetters.store(e);
  }
}
