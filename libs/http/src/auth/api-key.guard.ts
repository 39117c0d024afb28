import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ConveyorException, ErrorCode } from '../errors/conveyor.exception';
import { ApiKeyAuthenticator } from './api-key.authenticator';

export const PUBLIC_ROUTE = 'conveyor:public';
export const QUERY_KEY_ROUTE = 'conveyor:query-key';
const ADMIN_ROUTE = 'conveyor:admin';

/** Marks a route that needs no API key (health). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * Marks a route that also accepts the key as `?api_key=`, because a browser's EventSource cannot set headers.
 * Only stream routes: a key in a URL can end up in proxies' logs, so no other route takes one.
 */
export const AllowQueryKey = () => SetMetadata(QUERY_KEY_ROUTE, true);

/**
 * Marks an admin route (`/v1/admin/…`): it takes an admin key (ADMIN_API_KEYS) and no tenant key. Admin keys are a
 * separate scope: a tenant key here is a 403, and an admin key on any tenant route is a 403 too.
 */
export const AdminRoute = () => SetMetadata(ADMIN_ROUTE, true);

/**
 * An authenticated request: on a tenant route, the caller's tenant and its key's SHA-256 (which names the key in
 * per-key limits); on an admin route, the admin key's id (what the audit log records).
 */
export type AuthenticatedRequest = FastifyRequest & { tenantId: string; apiKeyHash: string; adminId?: string };

/** The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`, and from `?api_key=` where allowed. */
export function apiKeyOf(request: FastifyRequest, allowQuery = false): string | null {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (match) return match[1]!.trim();
  }
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  if (!allowQuery) return null;
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.api_key;
  return typeof fromQuery === 'string' && fromQuery.trim() !== '' ? fromQuery.trim() : null;
}

/** Authenticates every HTTP route not marked @Public() and attaches the caller's tenant to the request. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyAuthenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const allowQuery = this.reflector.getAllAndOverride<boolean>(QUERY_KEY_ROUTE, targets) === true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = apiKeyOf(request, allowQuery);
    if (!key) {
      const ways = allowQuery ? 'Authorization: Bearer <key>, X-API-Key: <key> or ?api_key=<key>' : 'Authorization: Bearer <key> or X-API-Key: <key>';
      throw new ConveyorException(ErrorCode.MissingApiKey, `Missing API key: send ${ways}.`);
    }
    const identity = await this.keys.identify(key);
    if (!identity) throw new ConveyorException(ErrorCode.InvalidApiKey, 'Invalid API key.');
    const adminRoute = this.reflector.getAllAndOverride<boolean>(ADMIN_ROUTE, targets) === true;
    if (adminRoute !== (identity.scope === 'admin')) {
      throw new ConveyorException(
        ErrorCode.PermissionDenied,
        adminRoute ? 'This route needs an admin key (ADMIN_API_KEYS); a tenant key cannot use it.' : 'An admin key can only call the /v1/admin routes.',
      );
    }
    if (identity.scope === 'admin') {
      request.adminId = identity.adminId;
      return true;
    }
    if (identity.tenantDisabled) throw new ConveyorException(ErrorCode.TenantDisabled, `The tenant '${identity.tenantId}' is disabled.`);
    request.tenantId = identity.tenantId;
    request.apiKeyHash = identity.keyHash;
    return true;
  }
}
