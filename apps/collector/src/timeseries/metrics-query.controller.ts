import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { formatZodIssues } from '@kairos/contracts';
import { RequireScope } from '@kairos/runtime';
import { LatestQuerySchema, RangeQuerySchema, SeriesQuerySchema } from './query-plan';
import { MetricQueryError, TimeseriesQueryService } from './query.service';

function parse<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const r = schema.safeParse(query);
  if (!r.success) throw new BadRequestException(`invalid query: ${formatZodIssues(r.error).join('; ')}`);
  return r.data;
}

async function asBadRequest<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof MetricQueryError) throw new BadRequestException(`invalid query: ${e.message}`);
    throw e;
  }
}

/** Time-series reads (docs/producers.md "Querying"). Labels match as `labels=host=a,env=prod` (the series has at least these). */
@ApiTags('metrics')
@Controller('api/metrics')
@RequireScope('read')
export class MetricsQueryController {
  constructor(private readonly query: TimeseriesQueryService) {}

  @Get('series')
  @ApiOperation({ summary: 'Series by metric, source and labels' })
  series(@Query() q: unknown) {
    return asBadRequest(this.query.series(parse(SeriesQuerySchema, q)));
  }

  @Get('query')
  @ApiOperation({ summary: 'Range query: from, to, step (10s, 1m, 5m, 1h…), agg (avg|min|max|sum|count|p95); the resolution is chosen for the range' })
  range(@Query() q: unknown) {
    return asBadRequest(this.query.range(parse(RangeQuerySchema, q)));
  }

  @Get('latest')
  @ApiOperation({ summary: 'The newest point of each matching series' })
  latest(@Query() q: unknown) {
    return asBadRequest(this.query.latest(parse(LatestQuerySchema, q)));
  }
}
