import { Module } from '@nestjs/common';
import { DatabaseModule, TENANT_KEY_STORE } from '@conveyor/database';
import { ApiKeyBootstrap } from './api-key.bootstrap';

/** The gateway's part of authentication: loading the configured keys. Checking them is the HTTP edge's (@conveyor/http). */
@Module({
  imports: [DatabaseModule.forFeature([TENANT_KEY_STORE])],
  providers: [ApiKeyBootstrap],
})
export class AuthModule {}
