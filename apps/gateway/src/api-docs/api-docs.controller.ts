import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiSummary, ApiTag, ConveyorException, ErrorCode, Public, type OpenApiDocument } from '@conveyor/http';
import { ApiDocumentService } from './api-document.service';
import { SwaggerUiAssets } from './swagger-ui.assets';
import { SWAGGER_UI_CSP, SWAGGER_UI_PAGE } from './swagger-ui.page';

/** `GET /openapi.json`, the OpenAPI 3.1 document of every gateway route, and `GET /docs`, Swagger UI over it. */
@Controller()
@ApiTag('Documentation')
@Public()
export class ApiDocsController {
  constructor(
    private readonly document: ApiDocumentService,
    private readonly assets: SwaggerUiAssets,
  ) {}

  @Get('openapi.json')
  @ApiSummary('This document (OpenAPI 3.1)')
  openApi(): OpenApiDocument {
    return this.document.get();
  }

  @Get('docs')
  @ApiSummary('Interactive API documentation (Swagger UI)')
  page(@Res({ passthrough: true }) reply: FastifyReply): string {
    void reply.type('text/html; charset=utf-8').header('content-security-policy', SWAGGER_UI_CSP);
    return SWAGGER_UI_PAGE;
  }

  @Get('docs/:asset')
  @ApiSummary("Swagger UI's own files")
  async asset(@Param('asset') name: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const asset = this.assets.get(name);
    if (!asset) throw new ConveyorException(ErrorCode.RouteNotFound, 'Unknown route.');
    const { contentType, body } = await asset;
    void reply.type(contentType).header('cache-control', 'public, max-age=3600');
    return body;
  }
}
