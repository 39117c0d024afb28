import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ConveyorException, ErrorCode } from '../errors/conveyor.exception';
import type { ApiKeyAuthenticator, KeyIdentity } from './api-key.authenticator';
import { AdminRoute, ApiKeyGuard } from './api-key.guard';

class Routes {
  tenantRoute(): void {}
  @AdminRoute()
  adminRoute(): void {}
}

const IDENTITIES: Record<string, KeyIdentity> = {
  'tok-tenant-key': { scope: 'tenant', tenantId: 'tenant-a', keyHash: 'f'.repeat(64), keyId: 'k1', tenantDisabled: false },
  'tok-disabled-key': { scope: 'tenant', tenantId: 'tenant-off', keyHash: 'e'.repeat(64), keyId: 'k2', tenantDisabled: true },
  'adm-admin-key-0123456789': { scope: 'admin', adminId: 'adm_0123456789ab' },
};

const guard = new ApiKeyGuard({ identify: async (key: string) => IDENTITIES[key] ?? null } as unknown as ApiKeyAuthenticator, new Reflector());

/** Runs the guard for a request to `route` with `key`; answers the request, or the error code it was refused with. */
async function check(route: keyof Routes, key: string): Promise<Record<string, unknown> | ErrorCode> {
  const request: Record<string, unknown> = { headers: { authorization: `Bearer ${key}` } };
  const context = {
    getType: () => 'http',
    getHandler: () => Routes.prototype[route],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  try {
    await guard.canActivate(context);
    return request;
  } catch (err) {
    return (err as ConveyorException).code;
  }
}

describe('ApiKeyGuard scopes', () => {
  it('puts a tenant key’s tenant and key hash on a tenant route’s request', async () => {
    expect(await check('tenantRoute', 'tok-tenant-key')).toMatchObject({ tenantId: 'tenant-a', apiKeyHash: 'f'.repeat(64) });
  });

  it('lets an admin key through an admin route, with its id and no tenant', async () => {
    const request = await check('adminRoute', 'adm-admin-key-0123456789');
    expect(request).toEqual(expect.objectContaining({ headers: expect.anything(), adminId: 'adm_0123456789ab' }));
    expect(request).not.toHaveProperty('tenantId');
  });

  it('refuses a disabled tenant’s key with 403 tenant_disabled, and an admin key on an admin route is not affected', async () => {
    expect(await check('tenantRoute', 'tok-disabled-key')).toBe(ErrorCode.TenantDisabled);
    expect(await check('adminRoute', 'tok-disabled-key')).toBe(ErrorCode.PermissionDenied);
  });

  it('refuses each scope on the other’s routes with 403, and an unknown key with 401', async () => {
    expect(await check('adminRoute', 'tok-tenant-key')).toBe(ErrorCode.PermissionDenied);
    expect(await check('tenantRoute', 'adm-admin-key-0123456789')).toBe(ErrorCode.PermissionDenied);
    expect(await check('adminRoute', 'tok-unknown-key')).toBe(ErrorCode.InvalidApiKey);
  });
});
