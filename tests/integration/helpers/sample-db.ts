// A real PostgreSQL database to connect to, as a team's own would be: a schema with a million orders and a role
// that logs in with a password (CI's server demands passwords from every role but the superuser).
import postgres from 'postgres';

export type SampleDb = {
  admin: postgres.Sql;
  schema: string;
  role: string;
  password: string;
  host: string;
  port: number;
  database: string;
  cleanup: () => Promise<void>;
};

/** A connection's settings for reaching the sample (all the connection form asks but its name). */
export function postgresSettings(sample: SampleDb) {
  return {
    kind: 'postgres' as const,
    host: sample.host,
    port: sample.port,
    database: sample.database,
    user: sample.role,
    password: sample.password,
    ssl: 'disable' as const
  };
}

export function targetUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'Tests of connected databases need a real PostgreSQL server: set TEST_DATABASE_URL to a superuser URL ' +
        '(`.ci/run` starts one and sets it).'
    );
  }
  return url;
}

export async function sampleDb(rows = 1_000_000): Promise<SampleDb> {
  const url = new URL(targetUrl());
  const admin = postgres(url.href, { max: 2, onnotice: () => {} });
  const suffix = crypto.randomUUID().replace(/-/g, '').slice(0, 10);
  const schema = `sample_${suffix}`;
  const role = `reader_${suffix}`;
  const password = `pw-${crypto.randomUUID()}`;
  await admin.unsafe(`create schema ${schema}`);
  await admin.unsafe(`
    create table ${schema}.orders as
    select g as id,
           (array['north','south','east','west'])[1 + g % 4] as region,
           (g % 1000)::numeric(10,2) / 4 as amount,
           date '2024-01-01' + (g % 365) as ordered_on,
           timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => g) as created_at,
           g % 3 = 0 as paid,
           case when g % 10 = 0 then null else 'customer ' || (g % 5000) end as customer,
           g::bigint * 1000000 as big,
           (g % 7)::smallint as weekday,
           md5(g::text)::uuid as token
      from generate_series(1, ${rows}) g`);
  await admin.unsafe(
    `create view ${schema}.paid_orders as select id, amount from ${schema}.orders where paid`
  );
  await admin.unsafe(`create role ${role} login password '${password}'`);
  await admin.unsafe(`grant usage on schema ${schema} to ${role}`);
  await admin.unsafe(`grant select, insert, update, delete on all tables in schema ${schema} to ${role}`);
  await admin.unsafe(`grant create on schema ${schema} to ${role}`);
  return {
    admin,
    schema,
    role,
    password,
    host: url.hostname,
    port: Number(url.port || 5432),
    database: url.pathname.slice(1) || 'postgres',
    async cleanup() {
      await admin.unsafe(`drop schema ${schema} cascade`);
      await admin.unsafe(`drop owned by ${role}`).catch(() => {});
      await admin.unsafe(`drop role ${role}`);
      await admin.end();
    }
  };
}
