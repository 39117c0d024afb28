import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { DatabaseModule, TENANT_KEY_STORE } from '@conveyor/database';
import { ApiKeyAuthenticator } from './auth/api-key.authenticator';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AccessChangesListener } from './auth/access-changes.listener';
import { OpenAiExceptionFilter } from './errors/openai-exception.filter';
import { TracingInterceptor } from './tracing.interceptor';

/**
 * What every HTTP service puts in front of its routes: API-key authentication (routes opt out with @Public();
 * revocations broadcast by the admin API reach its cache at once),
 * errors in OpenAI's shape, and a server span per request continuing the caller's trace.
 */
@Module({
  imports: [DatabaseModule.forFeature([TENANT_KEY_STORE])],
  providers: [
    ApiKeyAuthenticator,
    AccessChangesListener,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_FILTER, useClass: OpenAiExceptionFilter },
    { provide: APP_INTERCEPTOR, useClass: TracingInterceptor },
  ],
  exports: [ApiKeyAuthenticator],
})
export class HttpEdgeModule {}
