import { Controller, Get, Inject } from '@nestjs/common';
import { CONVEYOR_CONFIG, ModelAccess, type ConveyorConfig } from '@conveyor/config';
import { ModelListViewSchema, type ModelListView } from '@conveyor/contracts';
import { ApiResponse, ApiSummary, TenantId } from '@conveyor/http';

/**
 * `GET /v1/models`: the models and groups of the catalogue the calling tenant may use, in OpenAI's list shape,
 * so OpenAI clients can discover what `model` may say. Entries restricted to other tenants are left out, as if
 * they did not exist. `created` is when this gateway loaded the catalogue: the file records no dates. Also served at
 * `GET /openai/v1/models`, for clients whose base URL is `/openai/v1`.
 */
@Controller(['v1/models', 'openai/v1/models'])
export class ModelsController {
  private readonly access: ModelAccess;
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(@Inject(CONVEYOR_CONFIG) config: ConveyorConfig) {
    this.access = new ModelAccess(config.models);
  }

  @Get()
  @ApiSummary('The models and groups the caller may name')
  @ApiResponse({ status: 200, description: "OpenAI's model list.", schema: ModelListViewSchema })
  models(@TenantId() tenantId: string): ModelListView {
    return { object: 'list', data: this.access.namesFor(tenantId).map((id) => ({ id, object: 'model', created: this.created, owned_by: 'conveyor' })) };
  }
}
