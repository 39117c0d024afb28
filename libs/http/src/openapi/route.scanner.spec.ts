import { Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { DiscoveryModule, RouterModule } from '@nestjs/core';
import { ROUTES } from '@nestjs/core/router/router-module';
import { Test } from '@nestjs/testing';
import { z } from 'zod';
import { AllowQueryKey, Public } from '../auth/api-key.guard';
import { ValidBody, ValidQuery } from '../validation/zod-validation.pipe';
import { ApiResponse, ApiSummary, ApiTag } from './api-docs.decorators';
import { joinRoutePath, RouteScanner } from './route.scanner';

const Body = z.object({ a: z.string() });
const Query = z.object({ q: z.string().optional() });

@Controller('things')
@ApiTag('Things')
class ThingsController {
  @Post(':id')
  @HttpCode(202)
  @ApiSummary('Make a thing')
  @ApiResponse({ status: 202, description: 'Made.', schema: Body })
  make(@ValidBody(Body) _body: unknown): void {}

  @Get()
  list(@ValidQuery(Query) _query: unknown): void {}

  @Get(':id/stream')
  @AllowQueryKey()
  stream(): void {}

  helper(): void {}
}

@Controller()
@Public()
class OpenController {
  @Get(['ping', 'pong'])
  ping(): void {}
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

@Module({ controllers: [OpenController] })
class OpenModule {}

describe('RouteScanner', () => {
  it("lists every route as Nest registers it, with the module's RouterModule prefix, inputs, answers and auth", async () => {
    const app = await Test.createTestingModule({
      imports: [
        DiscoveryModule,
        ThingsModule,
        OpenModule,
        // The way the gateway's compat module mounts its routes: the prefix comes from a factory.
        { module: RouterModule, providers: [{ provide: ROUTES, useFactory: () => [{ path: '/pre', module: ThingsModule }] }] },
      ],
      providers: [RouteScanner],
    }).compile();
    const routes = app.get(RouteScanner).routes();
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'get /ping',
      'get /pong',
      'get /pre/things',
      'get /pre/things/:id/stream',
      'post /pre/things/:id',
    ]);
    const make = routes.find((r) => r.method === 'post')!;
    expect(make).toMatchObject({ tag: 'Things', summary: 'Make a thing', defaultStatus: 202, auth: 'key', operationId: 'Things_make' });
    expect(make.inputs.body).toBe(Body);
    expect(make.responses).toEqual([{ status: 202, description: 'Made.', schema: Body }]);
    expect(routes.find((r) => r.path === '/pre/things')!.inputs.query).toBe(Query);
    expect(routes.find((r) => r.path.endsWith('/stream'))!.auth).toBe('key-or-query');
    expect(routes.find((r) => r.path === '/ping')).toMatchObject({ auth: 'public', tag: 'Open', operationId: 'Open_ping' });
    expect(routes.find((r) => r.path === '/pong')!.operationId).toBe('Open_ping_2');
    await app.close();
  });

  it('joins path fragments as Nest does', () => {
    expect(joinRoutePath('', '/', '')).toBe('/');
    expect(joinRoutePath('/compat/', 'chat', ':taskId')).toBe('/compat/chat/:taskId');
  });
});
