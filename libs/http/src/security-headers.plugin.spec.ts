import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { registerSecurityHeaders, securityHeadersOf } from './security-headers.plugin';

@Controller()
class PlainController {
  @Get('/v1/thing')
  thing() {
    return { ok: true };
  }

  @Get('/health')
  health() {
    return { ok: true };
  }
}

@Module({ controllers: [PlainController] })
class PlainModule {}

describe('security headers', () => {
  it('are the values helmet would set for an API, with HSTS only when configured', () => {
    expect(Object.fromEntries(securityHeadersOf({ hstsMaxAgeS: 0 }))).toEqual({
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'cross-origin-resource-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
    expect(Object.fromEntries(securityHeadersOf({ hstsMaxAgeS: 600 }))['strict-transport-security']).toBe('max-age=600; includeSubDomains');
  });

  it('go on every answer of a real Fastify app, found or not, with no-store on private routes only', async () => {
    const app = await NestFactory.create<NestFastifyApplication>(PlainModule, new FastifyAdapter(), { logger: false });
    await registerSecurityHeaders(app, { corsOrigins: [], hstsMaxAgeS: 0 });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      const inject = (url: string) => app.getHttpAdapter().getInstance().inject({ method: 'GET', url });
      for (const url of ['/v1/thing', '/health', '/nowhere']) {
        const res = await inject(url);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['strict-transport-security']).toBeUndefined();
        expect(res.headers['cache-control']).toBe(url.startsWith('/v1/') ? 'no-store' : undefined);
      }
    } finally {
      await app.close();
    }
  });
});
