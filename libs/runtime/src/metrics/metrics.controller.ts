import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { LOGGER, type Logger } from '@kairos/platform';
import { Public } from '../security/route-scope.decorator';
import { KAIROS_METRICS } from '../tokens';
import type { KairosMetrics } from './kairos-metrics';

/** GET /metrics: Prometheus text exposition (public like /health: it carries counts, never task data or secrets). */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(KAIROS_METRICS) private readonly metrics: KairosMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  @Public()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.render((hook, err) => this.logger.warn({ hook, err }, 'metrics scrape hook failed'));
    res.type(this.metrics.contentType).send(body);
  }
}
