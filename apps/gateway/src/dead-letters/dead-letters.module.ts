import { Module } from '@nestjs/common';
import { DEAD_LETTER_REPOSITORY, PgDeadLetterRepository } from './dead-letter.repository';
import { DeadLettersConsumer } from './dead-letters.consumer';
import { DeadLettersController } from './dead-letters.controller';

@Module({
  controllers: [DeadLettersController, DeadLettersConsumer],
  providers: [{ provide: DEAD_LETTER_REPOSITORY, useClass: PgDeadLetterRepository }],
})
export class DeadLettersModule {}
