import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './api-key.guard';

/** The authenticated caller's tenant id, set by ApiKeyGuard. */
export const TenantId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().tenantId;
});

/** The authenticated admin key's id (`adm_…`), set by ApiKeyGuard on admin routes: what the audit log records. */
export const AdminId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().adminId!;
});
