// A DuckDB file on the server, opened in a sandbox: the database read-only (or the Parquet file as a view), then
// file access switched off and the configuration locked, so queries can read that file and nothing else on the
// server's disk (no read_csv('/etc/passwd'), no COPY TO, no ATTACH of a file). A query's child keeps the instance
// for the next query on the same file, each on a connection of its own (query-process.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { loadConfig } from '../../config';
import { literal } from '../../files/duckdb';
import { QueryError } from '../query-error';
import type { FileSettings } from '../settings';

/** The file's absolute path, if it is inside SERVER_DATA_DIR and exists. */
export function serverFile(s: FileSettings, dataDir = loadConfig().serverDataDir): string {
  if (!dataDir) {
    throw new QueryError(
      'connect',
      'This server offers no files to connect to: its operator has not set SERVER_DATA_DIR.'
    );
  }
  const full = path.resolve(dataDir, s.path);
  if (path.relative(dataDir, full).startsWith('..') || path.isAbsolute(path.relative(dataDir, full))) {
    throw new QueryError('connect', `"${s.path}" is outside the server's data folder.`);
  }
  if (!existsSync(full))
    throw new QueryError('connect', `There is no file "${s.path}" in the server's data folder.`);
  return full;
}

/** Whether a connection's file is a Parquet file (queried as a view) rather than a DuckDB database. */
export const isParquetFile = (file: string): boolean => /\.parquet$/i.test(file);

/** The table name a Parquet file is queried by: its file name, made an identifier. */
export function parquetTableName(file: string): string {
  const stem = path
    .basename(file)
    .replace(/\.parquet$/i, '')
    .replace(/\W+/g, '_');
  return /^[A-Za-z_]/.test(stem) ? stem : `t_${stem}`;
}

export type Sandbox = { connection: DuckDBConnection; close: () => void };

/** A sandboxed DuckDB instance, which gives each query a connection of its own (query-process.ts). */
export type SandboxInstance = {
  instance: DuckDBInstance;
  /** A new connection: its temp objects, prepared statements and session settings go when it closes. */
  connect(): Promise<DuckDBConnection>;
  close(): void;
};

/**
 * Locks a fresh DuckDB connection down for someone else's SQL: 1 GB of memory, no spilling (DuckDB would keep its
 * temp folder readable and writable with file access off), no extensions, file access to `allowedPaths` only,
 * and the configuration locked so the SQL cannot undo any of it. These settings are the instance's (global), so
 * every later connection to it is locked down too. Shared by file connections and dashboard refreshes
 * (publish/workbench-engine.ts).
 */
export async function lockDown(conn: DuckDBConnection, allowedPaths: string[]): Promise<void> {
  await conn.run(`set memory_limit = '1GB'`);
  await conn.run(`set temp_directory = ''`);
  await conn.run(`set max_temp_directory_size = '0B'`);
  await conn.run('set autoinstall_known_extensions = false');
  await conn.run('set autoload_known_extensions = false');
  await conn.run(`set allowed_paths = [${allowedPaths.map(literal).join(', ')}]`);
  await conn.run('set enable_external_access = false');
  await conn.run('set lock_configuration = true');
}

/** `file` is `s.path` resolved by serverFile (a query's child process is handed it, having no configuration). */
export async function openSandboxInstance(
  s: Pick<FileSettings, 'path'>,
  file: string
): Promise<SandboxInstance> {
  const parquet = isParquetFile(file);
  let instance: DuckDBInstance;
  try {
    instance = parquet
      ? await DuckDBInstance.create(':memory:', { threads: '2' })
      : await DuckDBInstance.create(file, { access_mode: 'READ_ONLY', threads: '2' });
  } catch (e) {
    throw new QueryError('connect', `Could not open "${s.path}": ${(e as Error).message}`);
  }
  try {
    const setup = await instance.connect();
    try {
      // A bounded share of memory (a query's own process has 2 GB: query-child.ts).
      await lockDown(setup, parquet ? [file] : []);
      if (parquet)
        await setup.run(
          `create view "${parquetTableName(file)}" as select * from read_parquet(${literal(file)})`
        );
    } finally {
      setup.closeSync();
    }
  } catch (e) {
    instance.closeSync();
    throw new QueryError('connect', `Could not open "${s.path}": ${(e as Error).message}`);
  }
  return { instance, connect: () => instance.connect(), close: () => instance.closeSync() };
}

/** The sandbox with one connection (schema reads, tests). */
export async function openSandbox(s: Pick<FileSettings, 'path'>, file: string): Promise<Sandbox> {
  const sandbox = await openSandboxInstance(s, file);
  const connection = await sandbox.connect().catch((e: unknown) => {
    sandbox.close();
    throw e;
  });
  return {
    connection,
    close: () => {
      connection.closeSync();
      sandbox.close();
    }
  };
}
