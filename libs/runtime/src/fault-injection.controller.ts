import { Controller, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { EVENT_BUS, type EventBus } from '@kairos/bus';
import { RequireScope } from './security/route-scope.decorator';

/**
 * Test-only (KAIROS_FAULT_INJECTION=true, never in production): crashes a consumer group the way a
 * client-level failure would, so tests can watch it come back and /health report it down meanwhile.
 */
@ApiExcludeController()
@RequireScope('admin')
@Controller('internal/faults')
export class FaultInjectionController {
  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  @Post('consumer-crash/:group')
  @HttpCode(202)
  crash(@Param('group') group: string) {
    if (!this.bus.crashConsumer(group)) throw new NotFoundException(`no running consumer group ${group} in this process`);
    return { group, injected: 'crash' };
  }
}
