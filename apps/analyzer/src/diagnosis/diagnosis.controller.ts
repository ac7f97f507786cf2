import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DiagnosisRuleSchema } from '@kairos/ml';
import { parseOrThrow } from '../errors/analyzer.errors';
import { DiagnosisService } from './diagnosis.service';
import { RequireScope } from '@kairos/runtime';

const AnomalyQuerySchema = z.object({ windowSec: z.coerce.number().int().min(1).max(86_400).default(600) }).strict();

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
    return this.diagnosis.rule(id);
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
    return this.diagnosis.replace(id, parseOrThrow(DiagnosisRuleSchema, body, 'diagnosis rule'));
  }

  @Delete('diagnosis/rules/:id')
  @RequireScope('admin')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.diagnosis.remove(id);
  }

  @Get('anomalies')
  @ApiOperation({ summary: 'Streaming anomaly scores (0..1, from past points only) of each node metric: latest and peak over windowSec (default 600)' })
  anomalies(@Query() query: unknown) {
    const { windowSec } = parseOrThrow(AnomalyQuerySchema, query, 'query');
    return this.diagnosis.anomalyReport(windowSec);
  }

  @Get('diagnoses')
  @ApiOperation({ summary: 'Audit trail: each diagnosis, its confidence and explanation, and whether a repair was sent, dry-run or suppressed (and why)' })
  diagnoses() {
    return this.diagnosis.audit();
  }
}
