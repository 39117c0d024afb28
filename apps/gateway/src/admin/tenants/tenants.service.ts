import { Inject, Injectable } from '@nestjs/common';
import { TENANT_ADMIN_STORE, type TenantAdminStore, type TenantRecord } from '@conveyor/database';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { AccessChangeNotifier } from '../access-change.notifier';
import { pageOf, type ListPage } from '../admin-list.schema';
import { presentTenant, type TenantListQuery, type TenantView } from './tenant.schema';

export const tenantNotFound = (id: string) => new ConveyorException(ErrorCode.TenantNotFound, `No tenant '${id.slice(0, 64)}'.`, 'tenant');

/** Tenants for the admin API: create, list, show, disable and enable again; each change audited with its admin. */
@Injectable()
export class TenantsService {
  constructor(
    @Inject(TENANT_ADMIN_STORE) private readonly store: TenantAdminStore,
    private readonly access: AccessChangeNotifier,
  ) {}

  async create(adminId: string, id: string): Promise<TenantView> {
    const tenant = await this.store.createTenant(id, { adminId, action: 'tenant.create', targetType: 'tenant', targetId: id });
    if (!tenant) throw new ConveyorException(ErrorCode.TenantExists, `The tenant '${id}' exists already.`, 'id');
    return presentTenant(tenant);
  }

  async list(query: TenantListQuery): Promise<ListPage<TenantView>> {
    return pageOf(await this.store.listTenants(query.limit + 1, query.after), query.limit, presentTenant);
  }

  async get(id: string): Promise<TenantRecord> {
    const tenant = await this.store.findTenant(id);
    if (!tenant) throw tenantNotFound(id);
    return tenant;
  }

  /** Disabling refuses the tenant's keys on every replica (at once by broadcast); its accepted jobs run on. */
  async setDisabled(adminId: string, id: string, disabled: boolean): Promise<TenantView> {
    const action = disabled ? 'tenant.disable' : 'tenant.enable';
    const result = await this.store.setDisabled(id, disabled, { adminId, action, targetType: 'tenant', targetId: id });
    if (!result) throw tenantNotFound(id);
    if (result.changed) await this.access.changed({ reason: disabled ? 'tenant_disabled' : 'tenant_enabled', tenant_id: id });
    return presentTenant(result.record);
  }
}
