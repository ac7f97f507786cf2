import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { ConsumerOptions } from '@kairos/bus';
import type { Envelope } from '@kairos/contracts';
import { RepairService } from './repair.service';

const GROUP: ConsumerOptions = { group: 'executor-repairs' };

@Controller()
export class RepairsConsumer {
  constructor(private readonly repairs: RepairService) {}

  @EventPattern('repair.requested.v1', GROUP)
  async onRepairRequested(@Payload() e: Envelope<'repair.requested.v1'>): Promise<void> {
    await this.repairs.apply(e.payload);
  }
}
