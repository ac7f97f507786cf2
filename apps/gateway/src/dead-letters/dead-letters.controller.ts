import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DEAD_LETTER_REPOSITORY, type DeadLetterRepository } from './dead-letter.repository';

@ApiTags('dead-letters')
@Controller('api/dead-letters')
export class DeadLettersController {
  constructor(@Inject(DEAD_LETTER_REPOSITORY) private readonly deadLetters: DeadLetterRepository) {}

  @Get()
  list() {
    return this.deadLetters.recent(200);
  }
}
