import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DeadLetterService } from './dead-letter.service';
import { RequireScope } from '@kairos/runtime';

@ApiTags('dead-letters')
@RequireScope('read')
@Controller('api/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLetterService) {}

  @Get()
  list() {
    return this.deadLetters.recent();
  }
}
