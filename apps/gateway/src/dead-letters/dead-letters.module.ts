import { Module } from '@nestjs/common';
import { DEAD_LETTER_REPOSITORY, PgDeadLetterRepository } from './dead-letter.repository';
import { DeadLetterService } from './dead-letter.service';
import { DeadLettersConsumer } from './dead-letters.consumer';
import { DeadLettersController } from './dead-letters.controller';

@Module({
  controllers: [DeadLettersController, DeadLettersConsumer],
  providers: [DeadLetterService, { provide: DEAD_LETTER_REPOSITORY, useClass: PgDeadLetterRepository }],
  exports: [DeadLetterService],
})
export class DeadLettersModule {}
