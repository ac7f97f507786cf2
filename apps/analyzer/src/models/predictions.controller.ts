import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { uuidParam } from '@kairos/contracts';
import { parseParam, tenantAccessOf } from '@kairos/runtime';
import { analyseTaskPatterns, seededRandom, type TaskProfile } from '@kairos/ml';
import { AnalyzerError, mapErrors, parseOrThrow } from '../errors/analyzer.errors';
import { taskSignature } from '../estimates/duration-baseline';
import { PatternsQuerySchema, PredictBodySchema } from './analyzer.schemas';
import { DurationModelService } from './duration-model.service';
import { RequireScope } from '@kairos/runtime';

const REFERENCE_MACHINE_MB = 65_536;

@ApiTags('predictions')
@RequireScope('read')
@Controller('api')
export class PredictionsController {
  constructor(private readonly durations: DurationModelService) {}

  @Get('predictions/:taskId')
  @ApiOperation({ summary: "The duration estimate made when the task was queued (p50, p90, model and version); another tenant's task answers 404 as an unknown one" })
  async byTask(@Param('taskId') rawTaskId: string, @Req() req: object) {
    const taskId = parseParam(uuidParam('task id'), rawTaskId, 'task id');
    const estimate = (await this.durations.canSeeTask(taskId, tenantAccessOf(req))) ? await this.durations.estimateOf(taskId) : undefined;
    if (!estimate) throw new AnalyzerError('PREDICTION_NOT_FOUND', `no duration estimate for task ${taskId}`, { taskId });
    return estimate;
  }

  @Get('predictions/:taskId/explanation')
  @ApiOperation({
    summary:
      "Why the task's duration estimate is what it is: TreeSHAP attributions of the p50 and p90 models (log1p seconds; base value + contributions = the model's output) for the features it was made from, and the version's global importance; another tenant's task answers 404 as an unknown one",
  })
  async explanation(@Param('taskId') rawTaskId: string, @Req() req: object) {
    const taskId = parseParam(uuidParam('task id'), rawTaskId, 'task id');
    const explained = (await this.durations.canSeeTask(taskId, tenantAccessOf(req))) ? await mapErrors(() => this.durations.explain(taskId)) : undefined;
    if (!explained) throw new AnalyzerError('PREDICTION_NOT_FOUND', `no duration estimate for task ${taskId}`, { taskId });
    return explained;
  }

  @Post('predictions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Predict the duration of a task spec now (production model, else moving average)' })
  @ApiBody({ schema: z.toJSONSchema(PredictBodySchema, { io: 'input' }) as object })
  async predict(@Body() body: unknown) {
    const spec = parseOrThrow(PredictBodySchema, body, 'prediction request');
    const signature = taskSignature(spec.queue, spec.name, spec.run);
    const est = await this.durations.estimate({ signature, cpuMillis: spec.resources.cpuMillis, memMb: spec.resources.memMb, createdAtMs: Date.now() });
    return { signature, ...(est ?? { p50Ms: null, p90Ms: null, model: null, modelVersion: null, basedOn: 0 }) };
  }

  @Get('patterns')
  @ApiOperation({ summary: 'Task patterns: k-means over recent succeeded tasks (k by silhouette), described per cluster' })
  patterns(@Query() query: unknown) {
    const { limit } = parseParam(PatternsQuerySchema, query, 'query');
    return mapErrors(async () => {
      const records = (await this.durations.history.recent(limit)).filter((r) => r.succeeded && r.finishedAtMs !== null);
      const profiles: TaskProfile[] = records.map((r) => ({
        durationSeconds: ((r.finishedAtMs as number) - r.createdAtMs) / 1000,
        cpuCores: r.cpuMillis / 1000,
        memFraction: Math.min(1, r.memMb / REFERENCE_MACHINE_MB),
        instances: 1,
      }));
      const model = analyseTaskPatterns(profiles, seededRandom(1), { kMax: Math.max(2, Math.min(8, profiles.length - 1)) });
      return { tasks: profiles.length, k: model.k, patterns: model.patterns, silhouetteByK: model.silhouetteByK };
    });
  }
}
