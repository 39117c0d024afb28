import { Controller, Get } from '@nestjs/common';
import { z } from 'zod';
import { AdminId, AdminRoute, ApiResponse, ApiSummary, ApiTag } from '@conveyor/http';

export const AdminIdentityViewSchema = z.object({ object: z.literal('admin'), id: z.string() });
export type AdminIdentityView = z.infer<typeof AdminIdentityViewSchema>;

/** `GET /v1/admin/whoami`: which admin key calls (by its id). A console tells an admin key from a tenant key with it. */
@Controller('v1/admin/whoami')
@AdminRoute()
@ApiTag('Admin')
export class AdminIdentityController {
  @Get()
  @ApiSummary('The calling admin key, by its id (a tenant key gets 403 here)')
  @ApiResponse({ status: 200, description: 'The admin.', schema: AdminIdentityViewSchema })
  whoami(@AdminId() adminId: string): AdminIdentityView {
    return { object: 'admin', id: adminId };
  }
}
