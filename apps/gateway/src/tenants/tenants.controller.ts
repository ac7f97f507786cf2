import { Body, Controller, Get, Param, Put, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { TenantQuotaSchema, TenantSchema } from '@kairos/contracts';
import { parseParam, requestActor, RequireScope } from '@kairos/runtime';
import { parseOrThrow } from '../tasks/parse-body';
import { TenantQuotaService } from './tenant-quota.service';

/** Tenant quotas: admin only (a tenant's own keys cannot raise their limits). */
@ApiTags('tenants')
@RequireScope('admin')
@Controller('api/tenants')
export class TenantsController {
  constructor(private readonly quotas: TenantQuotaService) {}

  @Get(':tenant/quota')
  @ApiOperation({ summary: "A tenant's quota (null = unlimited) and fair-share weight; a tenant without one is unlimited with weight 1" })
  get(@Param('tenant') tenant: string) {
    return this.quotas.get(parseParam(TenantSchema, tenant, 'tenant'));
  }

  @Put(':tenant/quota')
  @ApiOperation({ summary: "Replace a tenant's quota: maxQueuedTasks, maxRunningCpuMillis, maxRunningMemMb, maxRunningGpus (null or omitted = unlimited), weight (default 1)" })
  @ApiBody({ schema: z.toJSONSchema(TenantQuotaSchema, { io: 'input' }) as object })
  put(@Param('tenant') tenant: string, @Body() body: unknown, @Req() req: Request) {
    return this.quotas.put(parseParam(TenantSchema, tenant, 'tenant'), parseOrThrow(TenantQuotaSchema, body ?? {}, 'tenant quota'), requestActor(req));
  }
}
