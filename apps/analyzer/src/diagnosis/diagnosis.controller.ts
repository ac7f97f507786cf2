import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DiagnosisRuleIdSchema, DiagnosisRuleSchema } from '@kairos/ml';
import { PAGE_QUERY, parseParam } from '@kairos/runtime';
import { intParam, queryParams } from '@kairos/contracts';
import { parseOrThrow } from '../errors/analyzer.errors';
import { DiagnosisService } from './diagnosis.service';
import { RequireScope } from '@kairos/runtime';

const AnomalyQuerySchema = queryParams({ windowSec: intParam({ min: 1, max: 86_400, default: 600 }) });

/** Diagnosis rules as data (metric, aggregate, operator, threshold, action) and the decision audit. */
@ApiTags('diagnosis')
@RequireScope('read')
@Controller('api')
export class DiagnosisController {
  constructor(private readonly diagnosis: DiagnosisService) {}

  @Get('diagnosis/rules')
  @ApiOperation({ summary: 'Every diagnosis rule' })
  rules() {
    return this.diagnosis.rules();
  }

  @Get('diagnosis/rules/:id')
  rule(@Param('id') id: string) {
    return this.diagnosis.rule(parseParam(DiagnosisRuleIdSchema, id, 'rule id'));
  }

  @Post('diagnosis/rules')
  @RequireScope('admin')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a rule; a bad field or an unknown repair action gets 400 naming it' })
  @ApiBody({ schema: z.toJSONSchema(DiagnosisRuleSchema, { io: 'input' }) as object })
  create(@Body() body: unknown) {
    return this.diagnosis.create(parseOrThrow(DiagnosisRuleSchema, body, 'diagnosis rule'));
  }

  @Put('diagnosis/rules/:id')
  @RequireScope('admin')
  @ApiBody({ schema: z.toJSONSchema(DiagnosisRuleSchema, { io: 'input' }) as object })
  replace(@Param('id') id: string, @Body() body: unknown) {
    return this.diagnosis.replace(parseParam(DiagnosisRuleIdSchema, id, 'rule id'), parseOrThrow(DiagnosisRuleSchema, body, 'diagnosis rule'));
  }

  @Delete('diagnosis/rules/:id')
  @RequireScope('admin')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.diagnosis.remove(parseParam(DiagnosisRuleIdSchema, id, 'rule id'));
  }

  @Get('anomalies')
  @ApiOperation({ summary: 'Streaming anomaly scores (0..1, from past points only) of each node metric: latest and peak over windowSec (default 600)' })
  anomalies(@Query() query: unknown) {
    const { windowSec } = parseParam(AnomalyQuerySchema, query, 'query');
    return this.diagnosis.anomalyReport(windowSec);
  }

  @Get('diagnoses')
  @ApiOperation({ summary: 'Audit trail, newest first ({ items, nextCursor }, limit 1..1000, default 100): each diagnosis, its confidence and explanation, and whether a repair was sent, dry-run or suppressed (and why)' })
  diagnoses(@Query() query: unknown) {
    return this.diagnosis.audit(parseParam(queryParams(PAGE_QUERY), query, 'query'));
  }
}
