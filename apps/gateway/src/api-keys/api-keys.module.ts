import { Module } from '@nestjs/common';
import { ApiKeysController, SessionController } from './api-keys.controller';
import { API_KEYS_REPOSITORY, PgApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';

/** API keys (the gateway owns the api_keys table) and the dashboard's session cookie. */
@Module({
  controllers: [ApiKeysController, SessionController],
  providers: [ApiKeysService, { provide: API_KEYS_REPOSITORY, useClass: PgApiKeysRepository }],
  exports: [ApiKeysService],
})
export class ApiKeysModule {}
