import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { RouteScanner } from '@conveyor/http';
import { ApiDocsController } from './api-docs.controller';
import { ApiDocumentService } from './api-document.service';
import { SwaggerUiAssets } from './swagger-ui.assets';

/** The API's own documentation: the OpenAPI document built from the registered routes, and Swagger UI over it. */
@Module({
  imports: [DiscoveryModule],
  controllers: [ApiDocsController],
  providers: [RouteScanner, ApiDocumentService, SwaggerUiAssets],
})
export class ApiDocsModule {}
