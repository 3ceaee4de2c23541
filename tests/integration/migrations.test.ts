import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, MigrationError, readMigrations } from '../../server/db/migrate';
import { openPostgres } from '../../server/db/postgres';
import { emptyDb, MIGRATIONS_DIR, type TestDb } from './helpers/test-db';

let t: TestDb | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

async function dirWith(files: Record<string, string>) {
  const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-mig-'));
  for (const [name, sql] of Object.entries(files)) await writeFile(path.join(dir, name), sql);
  return dir;
}

describe('migrations', () => {
  it('lets several servers start together on one empty database: each migration is applied once', async () => {
    const url = process.env.TEST_DATABASE_URL;
    // Separate pools opening one new schema at once, as separate servers do (PGlite is one process: one pool).
    const schema = `t_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const dbs = url ? await Promise.all([1, 2, 3, 4].map(() => openPostgres(url, schema))) : [];
    if (!url) {
      t = await emptyDb();
      dbs.push(t.db);
    }
    try {
      const migrations = await readMigrations(MIGRATIONS_DIR);
      const applied = await Promise.all(dbs.map((db) => migrate(db, migrations)));
      expect(applied.flat().sort((a, b) => a - b)).toEqual(migrations.map((m) => m.version));
    } finally {
      if (url) {
        await Promise.all(dbs.map((db) => db.close()));
        const admin = postgres(url, { max: 1, onnotice: () => {} });
        await admin.unsafe(`drop schema if exists "${schema}" cascade`);
        await admin.end();
      }
    }
  });

  it('applies every migration once, in order, and records them', async () => {
    const tt = await emptyDb();
    t = tt;
    const migrations = await readMigrations(MIGRATIONS_DIR);
    expect(migrations.length).toBeGreaterThan(0);
    const first = await migrate(tt.db, migrations);
    expect(first).toEqual(migrations.map((m) => m.version));
    expect(await migrate(tt.db, migrations)).toEqual([]);
    const rows = await tt.db.query<{ version: number }>(
      'select version from schema_migrations order by version'
    );
    expect(rows.map((r) => r.version)).toEqual(first);
    const tables = await tt.db.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = current_schema()`
    );
    expect(tables.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['users', 'sessions', 'workspaces', 'memberships', 'invites', 'notebooks'])
    );
  });

  it('stops at a failing migration with its name, leaving nothing of it applied', async () => {
    const tt = await emptyDb();
    t = tt;
    const dir = await dirWith({
      '0001_good.sql': 'create table a (x int);',
      '0002_bad.sql': 'create table b (x int);\ninsert into missing_table values (1);',
      '0003_later.sql': 'create table c (x int);'
    });
    const err = await migrate(tt.db, await readMigrations(dir)).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(err.message).toContain('0002_bad');
    expect(err.message).toMatch(/missing_table/);
    const tables = await tt.db.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = current_schema() order by 1`
    );
    expect(tables.map((r) => r.table_name)).toEqual(['a', 'schema_migrations']);
    const versions = await tt.db.query<{ version: number }>('select version from schema_migrations');
    expect(versions.map((r) => r.version)).toEqual([1]);
  });

  it('unwraps JSON that earlier versions stored as a string holding the document', async () => {
    const tt = await emptyDb();
    t = tt;
    const all = await readMigrations(MIGRATIONS_DIR);
    const repair = all.findIndex((m) => m.name.includes('jsonb_objects'));
    expect(repair).toBeGreaterThan(0);
    await migrate(tt.db, all.slice(0, repair));
    await tt.db.query(
      `insert into users (id, email, name, password_hash) values ('u1', 'a@example.com', 'A', 'x')`
    );
    await tt.db.query(`insert into workspaces (id, name) values ('w1', 'W')`);
    const settings = { host: 'db.example.com', port: 5432 };
    await tt.db.query(
      `insert into connections (id, workspace_id, name, kind, settings, created_by)
       values ('c1', 'w1', 'Warehouse', 'postgres', to_jsonb($1::text), 'u1'),
              ('c2', 'w1', 'Other', 'postgres', $2::text::jsonb, 'u1')`,
      [JSON.stringify(settings), JSON.stringify(settings)]
    );
    await migrate(tt.db, all);
    const rows = await tt.db.query<{ id: string; kind: string; host: string }>(
      `select id, jsonb_typeof(settings) as kind, settings ->> 'host' as host from connections order by id`
    );
    expect(rows).toEqual([
      { id: 'c1', kind: 'object', host: 'db.example.com' },
      { id: 'c2', kind: 'object', host: 'db.example.com' }
    ]);
  });

  it('refuses badly named files before touching the database', async () => {
    const dir = await dirWith({ '0001_ok.sql': 'select 1;', 'Add Users.sql': 'select 1;' });
    await expect(readMigrations(dir)).rejects.toThrow(/must be named NNNN_name\.sql/);
  });
});
