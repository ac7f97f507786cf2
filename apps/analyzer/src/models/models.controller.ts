import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { withoutImportance } from '@kairos/ml';
import { mapErrors, parseOrThrow } from '../errors/analyzer.errors';
import { DURATION_MODEL, DurationModelService } from './duration-model.service';
import { DeployBodySchema, ModelNameParamSchema, TrainBodySchema, VersionParamSchema } from './analyzer.schemas';
import { parseParam, requestActor, RequireScope } from '@kairos/runtime';

const modelName = (name: string): string => parseParam(ModelNameParamSchema, name, 'model name');

/** Model registry: train, list, deploy, roll back; accuracy and drift of live predictions. */
@ApiTags('models')
@RequireScope('read')
@Controller('api/models')
export class ModelsController {
  constructor(private readonly durations: DurationModelService) {}

  @Get()
  @ApiOperation({ summary: 'Registered models with their production version' })
  list() {
    return mapErrors(async () => {
      const names = await this.durations.registry.listNames();
      return Promise.all(
        names.map(async (name) => {
          const versions = await this.durations.registry.list(name);
          const production = versions.find((v) => v.stage === 'production');
          return { name, versions: versions.length, production: production ?? null, revision: await this.durations.registry.revision(name) };
        }),
      );
    });
  }

  @Post('duration/train')
  @RequireScope('operate')
  @HttpCode(201)
  @ApiOperation({ summary: 'Train the GBDT duration model on platform history (worker thread); registers a candidate version' })
  @ApiBody({ schema: z.toJSONSchema(TrainBodySchema, { io: 'input' }) as object, required: false })
  train(@Body() body: unknown, @Req() http: object) {
    const req = parseOrThrow(TrainBodySchema, body, 'training request');
    return mapErrors(() => this.durations.train(req, requestActor(http)));
  }

  @Get(':name/versions')
  @ApiOperation({ summary: 'Every version of a model, oldest first, with the stage history' })
  versions(@Param('name') rawName: string) {
    const name = modelName(rawName);
    return mapErrors(async () => ({
      name,
      // The importance.* metrics (one per feature and kind) are served by the importance route below.
      versions: (await this.durations.registry.list(name)).map((v) => ({ ...v, metrics: withoutImportance(v.metrics) })),
      history: await this.durations.registry.history(name),
    }));
  }

  @Get(':name/versions/:version/importance')
  @ApiOperation({
    summary:
      "A version's global feature importance, computed at training on its validation rows: permutation importance (MAE increase in seconds when the feature is shuffled) and mean |TreeSHAP|; null for versions trained before it was recorded",
  })
  importance(@Param('name') rawName: string, @Param('version') version: string) {
    const name = modelName(rawName);
    const v = parseParam(VersionParamSchema, version, 'version');
    return mapErrors(async () => ({ name, version: v, importance: await this.durations.importance(name, v) }));
  }

  @Post(':name/versions/:version/deploy')
  @RequireScope('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Promote a candidate to production through the deploy gate (409 DEPLOY_GATE_REFUSED with the verdict when it does not beat production and the baseline; body {"force":{"reason"}} overrides, audited); replicas hot-swap' })
  deploy(@Param('name') rawName: string, @Param('version') version: string, @Body() body: unknown, @Req() req: object) {
    const name = modelName(rawName);
    const v = parseParam(VersionParamSchema, version, 'version');
    const { force } = parseOrThrow(DeployBodySchema, body, 'deploy request');
    return mapErrors(() => this.durations.deploy(name, v, requestActor(req), force));
  }

  @Post(':name/rollback')
  @RequireScope('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archive the production version and restore the one before it' })
  rollback(@Param('name') rawName: string, @Req() req: object) {
    const name = modelName(rawName);
    return mapErrors(() => this.durations.rollback(name, requestActor(req)));
  }

  @Get(':name/accuracy')
  @ApiOperation({ summary: 'MAE, MAPE, p90 coverage and bias of live predictions against actual durations, per version' })
  accuracy(@Param('name') rawName: string) {
    const name = modelName(rawName);
    return mapErrors(async () => {
      await this.durations.registry.list(name);
      return this.durations.accuracy(name);
    });
  }

  @Get(':name/drift')
  @ApiOperation({ summary: 'Recent drift reports (PSI and KS per feature, live vs validation error) and their decisions' })
  drift(@Param('name') rawName: string) {
    const name = modelName(rawName);
    return mapErrors(async () => {
      await this.durations.registry.list(name);
      return { name, policy: name === DURATION_MODEL ? this.durations.drift.policy : null, reports: await this.durations.driftReports(name) };
    });
  }
}
