import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { buildOpenApiDocument, RouteScanner, type OpenApiDocument } from '@conveyor/http';

const INFO = {
  title: 'Conveyor',
  version: '0.1.0',
  description:
    "A queued LLM completion gateway: its own job API under /v1, OpenAI's under /openai/v1, and the seeds' own routes " +
    '(/generate, /complete, /chat…; see docs/compatibility.md). Authenticate with `Authorization: Bearer <key>` or `X-API-Key: <key>`.',
};

/** The gateway's OpenAPI document, built once from the routes Nest registered (they do not change after start-up). */
@Injectable()
export class ApiDocumentService {
  private document: OpenApiDocument | null = null;

  constructor(
    private readonly routes: RouteScanner,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  get(): OpenApiDocument {
    this.document ??= buildOpenApiDocument(this.routes.routes(), INFO, this.config);
    return this.document;
  }
}
