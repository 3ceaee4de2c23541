// Uploaded files of a workspace: store (stream → convert → move into place → record), list, rename, delete, read.
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { jsonValue } from '../db/json-value';
import type { Db, Queryable } from '../db/types';
import { AppError, invalid, notFound } from '../errors';
import { writeLimited } from '../http/write-limited';
import { newId, type UserId, type WorkspaceId } from '../ids';
import { parseInput } from '../validate';
import { requireWorkspaceRole } from '../workspaces/access';
import { browserCopyName } from './browser-copy';
import type { Column } from './convert';
import { convertIsolated, type ConversionLimits } from './convert-isolated';
import { formatOf, tableNameFrom, TableNameSchema, uniqueName, type FileFormat } from './names';

export type StoredFile = {
  id: string;
  workspaceId: WorkspaceId;
  tableName: string;
  originalName: string;
  format: FileFormat;
  sizeBytes: number;
  parquetBytes: number;
  rowCount: number;
  columns: Column[];
  createdAt: Date;
};

export const workspaceFilesDir = (dataDir: string, workspaceId: WorkspaceId) =>
  path.join(dataDir, 'files', workspaceId);
export const parquetPath = (dataDir: string, workspaceId: WorkspaceId, fileId: string) =>
  path.join(workspaceFilesDir(dataDir, workspaceId), fileId, 'data.parquet');

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(n % 1024 ** 3 ? 1 : 0)} GB`;
  if (n >= 1024 ** 2) return `${Math.round(n / 1024 ** 2)} MB`;
  return `${Math.round(n / 1024)} KB`;
}

function tooLarge(limit: number) {
  return new AppError(
    'too_large',
    `This file is larger than the upload limit of ${formatBytes(limit)}. Nothing was stored.`
  );
}

/** Streams `source` to disk (never holding it in memory), converts it to Parquet in a child process and records
 * it. All or nothing; `signal` (the request going away) stops it and removes what it wrote. */
export async function storeUpload(
  db: Db,
  dataDir: string,
  args: {
    userId: UserId;
    workspaceId: WorkspaceId;
    fileName: string;
    source: Readable;
    limitBytes: number;
    limits?: ConversionLimits;
    signal?: AbortSignal;
  }
): Promise<StoredFile> {
  await requireWorkspaceRole(db, args.userId, args.workspaceId, 'editor');
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(args.fileName)) {
    throw invalid(
      'The file name contains a control character (such as NUL), which file names here may not hold. Rename the file and upload it again.'
    );
  }
  const originalName = path.basename(args.fileName).slice(0, 255);
  const format = formatOf(originalName);
  if (!format) {
    throw invalid(
      `Sheaf reads CSV, TSV, JSON (or newline-delimited JSON), Parquet and Excel (.xlsx) files; "${originalName}" is none of these.`
    );
  }
  const id = newId();
  const wsDir = workspaceFilesDir(dataDir, args.workspaceId);
  const incoming = path.join(wsDir, `${INCOMING}${id}`);
  const finalDir = path.join(wsDir, id);
  await mkdir(incoming, { recursive: true });
  const original = path.join(incoming, `original.${format}`);
  let recorded = false;
  try {
    const size = await writeLimited(args.source, original, args.limitBytes, () => tooLarge(args.limitBytes));
    const parquet = path.join(incoming, 'data.parquet');
    const converted = await convertIsolated(
      {
        format,
        src: original,
        parquet,
        browserCopy: path.join(incoming, browserCopyName),
        workDir: incoming
      },
      args.limits,
      args.signal
    );
    await rm(original);
    await rename(incoming, finalDir);
    const file = await db.transaction(async (tx) => {
      // One upload at a time per workspace picks a name, so two files never get the same table name.
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`files:${args.workspaceId}`]);
      const taken = await takenNames(tx, args.workspaceId);
      const tableName = uniqueName(tableNameFrom(originalName), taken);
      const rows = await tx.query<{ created_at: Date }>(
        `insert into files (id, workspace_id, table_name, original_name, format, size_bytes, parquet_bytes, row_count,
                            columns, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10) returning created_at`,
        [
          id,
          args.workspaceId,
          tableName,
          originalName,
          format,
          size,
          converted.parquetBytes,
          converted.rows,
          JSON.stringify(converted.columns),
          args.userId
        ]
      );
      return {
        id,
        workspaceId: args.workspaceId,
        tableName,
        originalName,
        format,
        sizeBytes: size,
        parquetBytes: converted.parquetBytes,
        rowCount: converted.rows,
        columns: converted.columns,
        createdAt: rows[0]!.created_at
      } satisfies StoredFile;
    });
    recorded = true;
    return file;
  } finally {
    await rm(incoming, { recursive: true, force: true });
    if (!recorded) await rm(finalDir, { recursive: true, force: true });
  }
}

const INCOMING = '.incoming-';

async function takenNames(db: Queryable, workspaceId: WorkspaceId): Promise<Set<string>> {
  const rows = await db.query<{ name: string }>(
    'select lower(table_name) as name from files where workspace_id = $1',
    [workspaceId]
  );
  return new Set(rows.map((r) => r.name));
}

type FileRow = {
  id: string;
  workspace_id: WorkspaceId;
  table_name: string;
  original_name: string;
  format: FileFormat;
  size_bytes: unknown;
  parquet_bytes: unknown;
  row_count: unknown;
  columns: unknown;
  created_at: Date;
};

function fromRow(r: FileRow): StoredFile {
  const columns = jsonValue(r.columns) as Column[];
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    tableName: r.table_name,
    originalName: r.original_name,
    format: r.format,
    sizeBytes: Number(r.size_bytes),
    parquetBytes: Number(r.parquet_bytes),
    rowCount: Number(r.row_count),
    columns: columns as Column[],
    createdAt: r.created_at
  };
}

export async function listFiles(
  db: Queryable,
  userId: UserId,
  workspaceId: WorkspaceId
): Promise<StoredFile[]> {
  await requireWorkspaceRole(db, userId, workspaceId, 'viewer');
  const rows = await db.query<FileRow>(
    'select * from files where workspace_id = $1 order by lower(table_name)',
    [workspaceId]
  );
  return rows.map(fromRow);
}

/** The file, if the user may read it. Non-members get "not found". */
export async function getFile(db: Queryable, userId: UserId, fileId: string): Promise<StoredFile> {
  const rows = await db.query<FileRow>('select * from files where id = $1', [fileId]);
  const row = rows[0];
  if (!row) throw notFound('That file');
  await requireWorkspaceRole(db, userId, row.workspace_id, 'viewer').catch((e) => {
    throw e instanceof AppError && e.code === 'not_found' ? notFound('That file') : e;
  });
  return fromRow(row);
}

export async function renameFile(
  db: Db,
  userId: UserId,
  fileId: string,
  input: unknown
): Promise<StoredFile> {
  const { tableName } = parseInput(z.object({ tableName: TableNameSchema }), input);
  const file = await getFile(db, userId, fileId);
  await requireWorkspaceRole(db, userId, file.workspaceId, 'editor');
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`files:${file.workspaceId}`]);
    const taken = await takenNames(tx, file.workspaceId);
    taken.delete(file.tableName.toLowerCase());
    if (taken.has(tableName.toLowerCase())) {
      throw new AppError('conflict', `Another file in this workspace is already called ${tableName}.`, {
        fields: { tableName: 'That name is taken.' }
      });
    }
    await tx.query('update files set table_name = $2 where id = $1', [fileId, tableName]);
    return { ...file, tableName };
  });
}

export async function deleteFile(db: Db, dataDir: string, userId: UserId, fileId: string): Promise<void> {
  const file = await getFile(db, userId, fileId);
  await requireWorkspaceRole(db, userId, file.workspaceId, 'editor');
  await db.query('delete from files where id = $1', [fileId]);
  await rm(path.join(workspaceFilesDir(dataDir, file.workspaceId), fileId), { recursive: true, force: true });
}
