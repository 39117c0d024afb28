import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { GatewayErrorCode, GatewayException } from '../errors/gateway.exception';
import { ApiKeyService } from './api-key.service';

const PUBLIC_ROUTE = 'conveyor:public';
/** Marks a route that needs no API key (health). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export type AuthenticatedRequest = FastifyRequest & { tenantId: string };

/** The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function apiKeyOf(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (match) return match[1]!.trim();
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.trim() !== '' ? header.trim() : null;
}

/** Authenticates every route not marked @Public() and attaches the caller's tenant to the request. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = apiKeyOf(request);
    if (!key) {
      throw new GatewayException(GatewayErrorCode.MissingApiKey, 'Missing API key: send Authorization: Bearer <key> or X-API-Key: <key>.');
    }
    const tenantId = await this.keys.tenantFor(key);
    if (!tenantId) throw new GatewayException(GatewayErrorCode.InvalidApiKey, 'Invalid API key.');
    request.tenantId = tenantId;
    return true;
  }
}
