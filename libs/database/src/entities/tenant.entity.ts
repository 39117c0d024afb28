import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A tenant: the owner of API keys and jobs. Ids come from configuration (`key:tenant` pairs). */
@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
