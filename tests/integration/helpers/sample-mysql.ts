// A real MariaDB/MySQL database to connect to: a million orders and a user that logs in with a password and
// may write (so that what stops writes is Sheaf, not missing grants).
import mysql from 'mysql2/promise';

export type SampleMysql = {
  admin: mysql.Connection;
  database: string;
  user: string;
  password: string;
  host: string;
  port: number;
  cleanup: () => Promise<void>;
};

/** A connection's settings for reaching the sample (all the connection form asks but its name). */
export function mysqlSettings(sample: SampleMysql) {
  return {
    kind: 'mysql' as const,
    host: sample.host,
    port: sample.port,
    database: sample.database,
    user: sample.user,
    password: sample.password,
    ssl: 'disable' as const
  };
}

export function mysqlUrl(): string {
  const url = process.env.TEST_MYSQL_URL;
  if (!url) {
    throw new Error(
      'Tests of MySQL connections need a real MariaDB or MySQL server: set TEST_MYSQL_URL to an admin URL ' +
        '(`.ci/run` starts MariaDB and sets it).'
    );
  }
  return url;
}

export async function sampleMysql(rows = 1_000_000): Promise<SampleMysql> {
  const url = new URL(mysqlUrl());
  const admin = await mysql.createConnection({ uri: url.href, multipleStatements: false });
  const suffix = crypto.randomUUID().replace(/-/g, '').slice(0, 10);
  const database = `sample_${suffix}`;
  const user = `reader_${suffix}`;
  const password = `pw-${crypto.randomUUID()}`;
  await admin.query(`create database ${database}`);
  await admin.query(`
    create table ${database}.orders as
    select cast(seq as signed) as id,
           elt(1 + seq % 4, 'north', 'south', 'east', 'west') as region,
           cast((seq % 1000) / 4 as decimal(10,2)) as amount,
           date '2024-01-01' + interval (seq % 365) day as ordered_on,
           timestamp '2024-01-01 00:00:00' + interval seq second as created_at,
           seq % 3 = 0 as paid,
           if(seq % 10 = 0, null, concat('customer ', seq % 5000)) as customer,
           cast(seq as signed) * 1000000 as big
      from ${database}.seq_1_to_${rows}`);
  await admin.query(
    `create view ${database}.paid_orders as select id, amount from ${database}.orders where paid`
  );
  // A function that writes: reachable through SELECT, so only the read-only transaction can stop it.
  await admin.query(
    `create function ${database}.add_order() returns int modifies sql data
     begin insert into ${database}.orders (id) values (-1); return 1; end`
  );
  await admin.query(`create user '${user}'@'%' identified by '${password}'`);
  await admin.query(`grant all privileges on ${database}.* to '${user}'@'%'`);
  return {
    admin,
    database,
    user,
    password,
    host: url.hostname,
    port: Number(url.port || 3306),
    async cleanup() {
      await admin.query(`drop database ${database}`);
      await admin.query(`drop user '${user}'@'%'`);
      await admin.end();
    }
  };
}
