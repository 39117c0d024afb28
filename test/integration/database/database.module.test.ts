import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { DATA_SOURCE, DatabaseModule, JOB_STORE, TENANT_KEY_STORE, TypeOrmJobStore, TypeOrmTenantKeyStore } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { databaseUrl, dropDatabase, recreateDatabase } from '../../support/database.util';

describe('DatabaseModule', () => {
  const name = `conveyor_module_${randomUUID().replace(/-/g, '')}`;
  afterAll(() => dropDatabase(name));

  it('migrates at start-up, provides the stores, and closes the DataSource on shutdown', async () => {
    const url = await recreateDatabase(name);
    const moduleRef = await Test.createTestingModule({
      imports: [DatabaseModule.forRoot({ url, poolSize: 2, migrate: true })],
    }).compile();
    const dataSource = moduleRef.get<DataSource>(DATA_SOURCE);
    expect(dataSource.isInitialized).toBe(true);
    expect(await dataSource.query("SELECT to_regclass('jobs') IS NOT NULL AS migrated")).toEqual([{ migrated: true }]);
    expect(moduleRef.get(JOB_STORE)).toBeInstanceOf(TypeOrmJobStore);
    expect(moduleRef.get(TENANT_KEY_STORE)).toBeInstanceOf(TypeOrmTenantKeyStore);
    await expect(moduleRef.get<TypeOrmJobStore>(JOB_STORE).ping()).resolves.toBeUndefined();
    await moduleRef.close();
    expect(dataSource.isInitialized).toBe(false);
  });

  it('shares one pool between the apps of a process when asked, closing it with the last of them', async () => {
    const url = await recreateDatabase(name);
    const open = () => Test.createTestingModule({ imports: [DatabaseModule.forRoot({ url, poolSize: 1, migrate: true, share: true })] }).compile();
    const first = await open();
    const second = await open();
    const dataSource = first.get<DataSource>(DATA_SOURCE);
    expect(second.get<DataSource>(DATA_SOURCE)).toBe(dataSource);
    await first.close();
    expect(dataSource.isInitialized).toBe(true);
    await expect(second.get<TypeOrmJobStore>(JOB_STORE).ping()).resolves.toBeUndefined();
    await second.close();
    expect(dataSource.isInitialized).toBe(false);
  });

  it('fails at start-up when the database does not exist', async () => {
    const compiling = Test.createTestingModule({
      imports: [DatabaseModule.forRoot({ url: databaseUrl('conveyor_no_such_database'), poolSize: 1, migrate: false })],
    }).compile();
    await expect(compiling).rejects.toThrow(/does not exist/);
  });
});
