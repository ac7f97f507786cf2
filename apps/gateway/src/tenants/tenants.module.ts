import { Module } from '@nestjs/common';
import { PgTenantQuotaRepository, TENANT_QUOTA_REPOSITORY } from './tenant-quota.repository';
import { TenantQuotaService } from './tenant-quota.service';
import { TenantsController } from './tenants.controller';

/** Tenant quotas (the gateway owns tenant_quotas); TenantQuotaService is what submissions are checked with. */
@Module({
  controllers: [TenantsController],
  providers: [TenantQuotaService, { provide: TENANT_QUOTA_REPOSITORY, useClass: PgTenantQuotaRepository }],
  exports: [TenantQuotaService],
})
export class TenantsModule {}
