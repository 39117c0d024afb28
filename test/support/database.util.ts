import { Client } from 'pg';
import type { DataSource } from 'typeorm';
// Relative imports, not `@conveyor/database`: jest's globalSetup loads this file without moduleNameMapper.
import { createDataSource } from '../../libs/database/src/data-source.factory';
import { runMigrations } from '../../libs/database/src/migrations.runner';

/** The test server: DATABASE_URL if set, else the local PostgreSQL. Tests only ever touch databases they create. */
export function testServerUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** The server's URL with another database name. */
export function databaseUrl(name: string): string {
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function onMaintenanceDb<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops (kicking out any leftover sessions) and creates an empty database; answers its URL. */
export async function recreateDatabase(name: string): Promise<string> {
  await onMaintenanceDb(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  });
  return databaseUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await onMaintenanceDb((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** This run's database: one per jest process, so concurrent runs (two checkouts, CI) never share one. */
export const TEST_DATABASE_NAME = `conveyor_test_${process.pid}`;

/** Creates this run's database and migrates it once for the whole run (called from jest's globalSetup). */
export async function prepareTestDatabase(): Promise<string> {
  const url = await recreateDatabase(TEST_DATABASE_NAME);
  const dataSource = await openDataSource(url);
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
  return url;
}

export async function openDataSource(url: string, poolSize = 4): Promise<DataSource> {
  return createDataSource({ url, poolSize }).initialize();
}

/** A DataSource on the migrated test database. Tests share it, so each test writes under its own tenant ids. */
export function openTestDataSource(): Promise<DataSource> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the integration project, whose globalSetup creates it');
  return openDataSource(url);
}
