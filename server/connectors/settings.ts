// What a connection is made of, validated at the HTTP boundary. Network databases (PostgreSQL, MySQL/MariaDB)
// have a host and credentials; a DuckDB or Parquet file lives in the server's data folder. The password is
// never part of `settings`: it is sealed separately and no API returns it.
import { z } from 'zod';
import type { ConnectionId } from '../ids';

export const KindSchema = z.enum(['postgres', 'mysql', 'duckdb']);
export type ConnectionKind = z.infer<typeof KindSchema>;
export type NetworkKind = Exclude<ConnectionKind, 'duckdb'>;

export const SslModeSchema = z.enum(['disable', 'prefer', 'require', 'verify-full']);

const LIMITS = {
  /** Longest a query may run before it is stopped. */
  statementTimeoutS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Most rows a result keeps; the run says when it was cut. */
  rowCap: z.coerce.number().int().min(1).max(10_000_000).default(1_000_000),
  /** Queries running at once over this connection; more wait their turn. */
  maxConcurrent: z.coerce.number().int().min(1).max(20).default(4)
};

export const NetworkSettingsSchema = z.object({
  host: z.string().trim().min(1, 'Enter the host name.').max(255),
  port: z.coerce.number().int('The port is a whole number.').min(1).max(65535),
  database: z.string().trim().min(1, 'Enter the database name.').max(255),
  user: z.string().trim().min(1, 'Enter the user name.').max(255),
  ssl: SslModeSchema.default('prefer'),
  ...LIMITS
});
export type NetworkSettings = z.infer<typeof NetworkSettingsSchema>;

export const FileSettingsSchema = z.object({
  /** Relative to SERVER_DATA_DIR: a .duckdb database or a .parquet file. */
  path: z
    .string()
    .trim()
    .min(1, 'Enter the file’s path inside the server’s data folder.')
    .max(500)
    .regex(/\.(duckdb|db|parquet)$/i, 'Point at a .duckdb (or .db) database or a .parquet file.'),
  ...LIMITS
});
export type FileSettings = z.infer<typeof FileSettingsSchema>;

export type ConnectionSettings = NetworkSettings | FileSettings;

export const settingsSchemaFor = (kind: ConnectionKind) =>
  kind === 'duckdb' ? FileSettingsSchema : NetworkSettingsSchema;

const NameSchema = z.string().trim().min(1, 'Give the connection a name.').max(80);
/** Empty or absent on an edit means "keep the stored password". */
const PasswordSchema = z.string().max(1000).optional();

/** Older clients (and scripts) may leave out the kind: PostgreSQL was the first. */
const withKind = (v: unknown) =>
  v && typeof v === 'object' && !('kind' in v) ? { ...v, kind: 'postgres' } : v;

const NetworkInput = NetworkSettingsSchema.extend({
  name: NameSchema,
  kind: z.enum(['postgres', 'mysql']),
  password: PasswordSchema
});
const FileInput = FileSettingsSchema.extend({ name: NameSchema, kind: z.literal('duckdb') });

export const ConnectionInputSchema = z.preprocess(
  withKind,
  z.discriminatedUnion('kind', [NetworkInput, FileInput])
);
export type ConnectionInput = z.infer<typeof ConnectionInputSchema>;

/** "Test connection" on a form: the settings as typed, and the saved connection whose password to reuse. */
export const ConnectionTestSchema = z.preprocess(
  withKind,
  z.discriminatedUnion('kind', [
    NetworkInput.omit({ name: true }).extend({ connectionId: z.string().max(40).optional() }),
    FileInput.omit({ name: true }).extend({ connectionId: z.string().max(40).optional() })
  ])
);

/** What every member may see of a connection (viewers see no more). */
export type ConnectionSummary = { id: ConnectionId; name: string; kind: ConnectionKind };
/** What editors see: everything but the secret. */
export type ConnectionDetails = ConnectionSummary & {
  settings: ConnectionSettings;
  hasPassword: boolean;
  schemaFetchedAt: string | null;
};
