import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiSummary, ApiTag, ConveyorException, ErrorCode, Public } from '@conveyor/http';
import { ConsoleAssets } from './console-assets';
import { ASSET_CACHE_CONTROL, CONSOLE_CSP, PAGE_CACHE_CONTROL } from './console.policy';

/**
 * `GET /console`, the web console (one page; its views are hash routes), and `GET /console/assets/{name}`, its
 * bundled script and stylesheet. Public: the page holds no data; it asks for a key and calls the API with it.
 */
@Controller('console')
@ApiTag('Console')
@Public()
export class ConsoleController {
  constructor(private readonly files: ConsoleAssets) {}

  @Get()
  @ApiSummary('The web console')
  page(@Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const page = this.files.index();
    if (!page) throw new ConveyorException(ErrorCode.RouteNotFound, 'Unknown route.');
    void reply.type('text/html; charset=utf-8').header('content-security-policy', CONSOLE_CSP).header('cache-control', PAGE_CACHE_CONTROL);
    return page;
  }

  @Get('assets/:asset')
  @ApiSummary("The console's bundled files")
  asset(@Param('asset') name: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const asset = this.files.asset(name);
    if (!asset) throw new ConveyorException(ErrorCode.RouteNotFound, 'Unknown route.');
    void reply.type(asset.contentType).header('cache-control', ASSET_CACHE_CONTROL);
    return asset.body;
  }
}
