import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { queryParams } from '@kairos/contracts';
import { PAGE_QUERY, parseParam } from '@kairos/runtime';
import { DeadLetterService } from './dead-letter.service';
import { RequireScope } from '@kairos/runtime';

const ListQuerySchema = queryParams(PAGE_QUERY);

@ApiTags('dead-letters')
@RequireScope('read')
@Controller('api/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLetterService) {}

  @Get()
  @ApiOperation({ summary: 'Messages no consumer could accept, newest first: { items, nextCursor } (limit 1..1000, default 100)' })
  list(@Query() query: unknown) {
    return this.deadLetters.recent(parseParam(ListQuerySchema, query, 'query'));
  }
}
