import { Controller, Get, Inject } from '@nestjs/common';
import { JOB_STORE, type JobStore } from '@conveyor/database';
import { ApiResponse, ApiSummary, ApiTag, TenantId, ValidQuery } from '@conveyor/http';
import { ChatListSchema, type ChatList } from './batch-api-views.schema';
import { presentChatEntry } from './batch-api.presenter';
import { ChatListQuerySchema, type ChatListQuery } from './chat-list-query.schema';

/**
 * Seed 002's `GET /v1/chat`: the tenant's request/response pairs — every job of its own, whichever route made it —
 * newest first, with the batch each ran in. The seed answers all of them at once; this answers a page
 * (`limit`, then `after` = the page's `last_id`).
 */
@Controller('v1/chat')
@ApiTag('Seed 002: batch API')
export class ChatHistoryController {
  constructor(@Inject(JOB_STORE) private readonly jobs: JobStore) {}

  @Get()
  @ApiSummary("The caller's request/response pairs with their batch, newest first, a page at a time")
  @ApiResponse({ status: 200, description: 'A page of pairs.', schema: ChatListSchema })
  async list(@TenantId() tenantId: string, @ValidQuery(ChatListQuerySchema) query: ChatListQuery): Promise<ChatList> {
    const { jobs, hasMore } = await this.jobs.listForTenant(tenantId, { limit: query.limit, after: query.after });
    const chats = jobs.map(presentChatEntry);
    return { chats, count: chats.length, has_more: hasMore, last_id: chats.at(-1)?.job_id ?? null };
  }
}
