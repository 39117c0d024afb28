import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hashApiKey } from '@conveyor/config';
import { isUuid, uuidv7 } from '@conveyor/contracts';
import { TENANT_ADMIN_STORE, type TenantAdminStore } from '@conveyor/database';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { AccessChangeNotifier } from '../access-change.notifier';
import { tenantNotFound } from '../tenants/tenants.service';
import { presentApiKey, type ApiKeyListView, type ApiKeyView, type CreatedApiKeyView } from './api-key.schema';

/** What a new key starts with: it tells a leaked key's reader what it is (and secret scanners can match it). */
const KEY_PREFIX = 'cvk_';

const keyNotFound = (id: string) => new ConveyorException(ErrorCode.ApiKeyNotFound, `No API key '${id.slice(0, 64)}'.`, 'key_id');

/**
 * Tenant API keys for the admin API. A new key is 32 random bytes; only its SHA-256 is stored, and the key is in the
 * create answer alone. Stored in PostgreSQL, so every replica authenticates it on its first use; a revoke is
 * broadcast so every replica drops its cached lookup at once.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    @Inject(TENANT_ADMIN_STORE) private readonly store: TenantAdminStore,
    private readonly access: AccessChangeNotifier,
  ) {}

  async create(adminId: string, tenantId: string, name: string | null): Promise<CreatedApiKeyView> {
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const keyHash = hashApiKey(key);
    const id = uuidv7();
    const label = `${key.slice(0, KEY_PREFIX.length + 4)}…${keyHash.slice(0, 8)}`;
    const record = await this.store.createKey(
      { id, tenantId, keyHash, label, name },
      { adminId, action: 'api_key.create', targetType: 'api_key', targetId: id, details: { tenant: tenantId, name } },
    );
    if (!record) throw tenantNotFound(tenantId);
    return { ...presentApiKey(record), key };
  }

  async list(tenantId: string, status?: 'active' | 'revoked'): Promise<ApiKeyListView> {
    const keys = (await this.store.listKeys(tenantId, status)).map(presentApiKey);
    if (keys.length === 0 && !(await this.store.findTenant(tenantId))) throw tenantNotFound(tenantId);
    return { object: 'list', data: keys, first_id: keys[0]?.id ?? null, last_id: keys[keys.length - 1]?.id ?? null, has_more: false };
  }

  async get(id: string): Promise<ApiKeyView> {
    const record = isUuid(id) ? await this.store.findKey(id) : null;
    if (!record) throw keyNotFound(id);
    return presentApiKey(record);
  }

  /** Idempotent: a key revoked already is answered as it is, with nothing written or broadcast. */
  async revoke(adminId: string, id: string): Promise<ApiKeyView> {
    const result = isUuid(id) ? await this.store.revokeKey(id, { adminId, action: 'api_key.revoke', targetType: 'api_key', targetId: id }) : null;
    if (!result) throw keyNotFound(id);
    if (result.changed) await this.access.changed({ reason: 'key_revoked', tenant_id: result.record.tenantId, key_id: id });
    return presentApiKey(result.record);
  }
}
