import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { ConsumerOptions } from '@kairos/bus';
import type { Envelope } from '@kairos/contracts';
import { DeadLetterService } from './dead-letter.service';

const GROUP: ConsumerOptions = { group: 'gateway-dead-letters', maxAttempts: 3 };

/** Keeps dead letters for operators (GET /api/dead-letters). A broken dead letter is logged, never re-dead-lettered. */
@Controller()
export class DeadLettersConsumer {
  constructor(private readonly deadLetters: DeadLetterService) {}

  @EventPattern('kairos.deadletter.v1', GROUP)
  onDeadLetter(@Payload() e: Envelope<'kairos.deadletter.v1'>): Promise<void> {
    return this.deadLetters.store(e);
  }
}
