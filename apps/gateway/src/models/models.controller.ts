import { Controller, Get, Inject } from '@nestjs/common';
import { CONVEYOR_CONFIG, catalogNames, type ConveyorConfig } from '@conveyor/config';
import type { ModelListView } from '@conveyor/contracts';

/**
 * `GET /v1/models`: every model and group of the catalogue, in OpenAI's list shape, so OpenAI clients can
 * discover what `model` may say. Every tenant may use every entry. `created` is when this gateway loaded the
 * catalogue: the file records no dates.
 */
@Controller('v1/models')
export class ModelsController {
  private readonly list: ModelListView;

  constructor(@Inject(CONVEYOR_CONFIG) config: ConveyorConfig) {
    const created = Math.floor(Date.now() / 1000);
    this.list = { object: 'list', data: catalogNames(config.models).map((id) => ({ id, object: 'model', created, owned_by: 'conveyor' })) };
  }

  @Get()
  models(): ModelListView {
    return this.list;
  }
}
