import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { DATA_SOURCE, DatabaseModule, JOB_STORE, TENANT_KEY_STORE, USAGE_STORE, PostgresJobStore, PostgresTenantKeyStore } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { databaseUrl, dropDatabase, recreateDatabase } from '../../support/database.util';

describe('DatabaseModule', () => {
  const name = `conveyor_module_${randomUUID().replace(/-/g, '')}`;
  afterAll(() => dropDatabase(name));

  it('migrates at start-up, provides the stores a feature names, and closes the DataSource on shutdown', async () => {
    const url = await recreateDatabase(name);
    const moduleRef = await Test.createTestingModule({
      imports: [DatabaseModule.forRoot({ url, poolSize: 2, migrate: true }), DatabaseModule.forFeature([JOB_STORE, TENANT_KEY_STORE])],
    }).compile();
    const dataSource = moduleRef.get<DataSource>(DATA_SOURCE);
    expect(dataSource.isInitialized).toBe(true);
    expect(await dataSource.query("SELECT to_regclass('jobs') IS NOT NULL AS migrated")).toEqual([{ migrated: true }]);
    expect(moduleRef.get(JOB_STORE)).toBeInstanceOf(PostgresJobStore);
    expect(moduleRef.get(TENANT_KEY_STORE)).toBeInstanceOf(PostgresTenantKeyStore);
    await expect(moduleRef.get<PostgresJobStore>(JOB_STORE).ping()).resolves.toBeUndefined();
    await moduleRef.close();
    expect(dataSource.isInitialized).toBe(false);
  });

  it('gives a feature module only the stores it names', async () => {
    const url = await recreateDatabase(name);
    const moduleRef = await Test.createTestingModule({
      imports: [DatabaseModule.forRoot({ url, poolSize: 1, migrate: true }), DatabaseModule.forFeature([JOB_STORE])],
    }).compile();
    expect(moduleRef.get(JOB_STORE)).toBeInstanceOf(PostgresJobStore);
    expect(() => moduleRef.get(USAGE_STORE)).toThrow();
    await moduleRef.close();
  });

  it('fails at start-up when the database does not exist', async () => {
    const compiling = Test.createTestingModule({
      imports: [DatabaseModule.forRoot({ url: databaseUrl('conveyor_no_such_database'), poolSize: 1, migrate: false })],
    }).compile();
    await expect(compiling).rejects.toThrow(/does not exist/);
  });
});
