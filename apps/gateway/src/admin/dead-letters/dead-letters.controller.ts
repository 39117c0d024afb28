import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { AdminId, AdminRoute, ApiResponse, ApiSummary, ApiTag, ValidQuery } from '@conveyor/http';
import type { ListPage } from '../admin-list.schema';
import {
  DeadLetterDetailViewSchema,
  DeadLetterListQuerySchema,
  DeadLetterListViewSchema,
  DeadLetterViewSchema,
  type DeadLetterDetailView,
  type DeadLetterListQuery,
  type DeadLetterView,
} from './dead-letter.schema';
import { DeadLettersService } from './dead-letters.service';

/** `/v1/admin/dead-letters`: dead-lettered jobs with their reason and headers; inspect, replay, discard. */
@Controller('v1/admin/dead-letters')
@AdminRoute()
@ApiTag('Admin')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @ApiSummary('Dead-lettered jobs, newest first')
  @ApiResponse({ status: 200, description: 'A page of dead letters.', schema: DeadLetterListViewSchema })
  list(@ValidQuery(DeadLetterListQuerySchema) query: DeadLetterListQuery): Promise<ListPage<DeadLetterView>> {
    return this.deadLetters.list(query);
  }

  @Get(':id')
  @ApiSummary('One dead letter, with the message it held')
  @ApiResponse({ status: 200, description: 'The dead letter.', schema: DeadLetterDetailViewSchema })
  get(@Param('id') id: string): Promise<DeadLetterDetailView> {
    return this.deadLetters.get(id);
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiSummary('Replay a dead-lettered job into its band (its job goes back to queued); once only')
  @ApiResponse({ status: 200, description: 'The dead letter, replayed.', schema: DeadLetterViewSchema })
  replay(@AdminId() adminId: string, @Param('id') id: string): Promise<DeadLetterView> {
    return this.deadLetters.replay(adminId, id);
  }

  @Post(':id/discard')
  @HttpCode(200)
  @ApiSummary('Discard a dead letter (its job stays failed)')
  @ApiResponse({ status: 200, description: 'The dead letter, discarded.', schema: DeadLetterViewSchema })
  discard(@AdminId() adminId: string, @Param('id') id: string): Promise<DeadLetterView> {
    return this.deadLetters.discard(adminId, id);
  }
}
