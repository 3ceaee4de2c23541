// Table names for uploaded files: a valid SQL identifier derived from the file name, unique in the workspace.
import { z } from 'zod';

export const FORMATS = ['csv', 'tsv', 'json', 'parquet', 'xlsx'] as const;
export type FileFormat = (typeof FORMATS)[number];

const EXT: Record<string, FileFormat> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  json: 'json',
  ndjson: 'json',
  jsonl: 'json',
  parquet: 'parquet',
  xlsx: 'xlsx'
};

export function formatOf(fileName: string): FileFormat | null {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  return ext ? (EXT[ext] ?? null) : null;
}

export function tableNameFrom(fileName: string): string {
  const base = fileName.replace(/\.[^.]*$/, '').toLowerCase();
  let name = base.replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!name) name = 'file';
  if (/^[0-9]/.test(name)) name = `t_${name}`;
  return name.slice(0, 60);
}

export function uniqueName(wanted: string, taken: Set<string>): string {
  if (!taken.has(wanted.toLowerCase())) return wanted;
  for (let i = 2; ; i++) if (!taken.has(`${wanted}_${i}`.toLowerCase())) return `${wanted}_${i}`;
}

export const TableNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Use letters, digits and _ for a table name, not starting with a digit.')
  .max(63, 'Use at most 63 characters for a table name.');
