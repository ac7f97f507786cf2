import { Module } from '@nestjs/common';
import { GatewayCoreModule } from '../core/gateway-core.module';
import { DECISION_READ_REPOSITORY, PgDecisionReadRepository } from './decision-read.repository';
import { DecisionsController } from './decisions.controller';
import { DecisionsService } from './decisions.service';

@Module({
  imports: [GatewayCoreModule],
  controllers: [DecisionsController],
  providers: [DecisionsService, { provide: DECISION_READ_REPOSITORY, useClass: PgDecisionReadRepository }],
  exports: [DecisionsService],
})
export class DecisionsModule {}
