import { Controller, Get, Inject } from '@nestjs/common';
import { PRIORITY_BANDS } from '@conveyor/contracts';
import { AdminRoute, ApiResponse, ApiSummary, ApiTag } from '@conveyor/http';
import { BROKER_CLIENT, type BrokerClient } from '@conveyor/messaging';
import { WorkerDirectory } from './worker-directory';
import { presentWorker, WorkerListViewSchema, type WorkerListView } from './worker.schema';

/** `GET /v1/admin/workers`: the inference workers heard from (slots, running jobs), and each band's queues. */
@Controller('v1/admin/workers')
@AdminRoute()
@ApiTag('Admin')
export class WorkersController {
  constructor(
    private readonly directory: WorkerDirectory,
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
  ) {}

  @Get()
  @ApiSummary('Connected inference workers with their slots and current jobs, and the queues per band')
  @ApiResponse({ status: 200, description: 'The workers and queues.', schema: WorkerListViewSchema })
  async list(): Promise<WorkerListView> {
    const depths = await this.broker.queueDepths();
    const queues = Object.fromEntries(
      PRIORITY_BANDS.map((band) => [band, { messages: depths[band].messages, consumers: depths[band].consumers }]),
    ) as WorkerListView['queues'];
    return { object: 'list', data: this.directory.live().map(presentWorker), queues };
  }
}
