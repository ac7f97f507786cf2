import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DeadLetterService } from './dead-letter.service';

@ApiTags('dead-letters')
@Controller('api/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLetterService) {}

  @Get()
  list() {
    return this.deadLetters.recent();
  }
}
