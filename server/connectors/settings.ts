// What a connection is made of, validated at the HTTP boundary. The password is never part of `settings`:
// it is sealed separately and no API returns it.
import { z } from 'zod';

export const KindSchema = z.enum(['postgres', 'mysql']);
export type ConnectionKind = z.infer<typeof KindSchema>;
export const DEFAULT_PORT: Record<ConnectionKind, number> = { postgres: 5432, mysql: 3306 };

export const SslModeSchema = z.enum(['disable', 'prefer', 'require', 'verify-full']);

export const ConnectionSettingsSchema = z.object({
  host: z.string().trim().min(1, 'Enter the host name.').max(255),
  port: z.coerce.number().int('The port is a whole number.').min(1).max(65535),
  database: z.string().trim().min(1, 'Enter the database name.').max(255),
  user: z.string().trim().min(1, 'Enter the user name.').max(255),
  ssl: SslModeSchema.default('prefer'),
  /** Longest a query may run before the database stops it. */
  statementTimeoutS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Most rows a result keeps; the run says when it was cut. */
  rowCap: z.coerce.number().int().min(1).max(10_000_000).default(1_000_000),
  /** Queries running at once over this connection; more wait their turn. */
  maxConcurrent: z.coerce.number().int().min(1).max(20).default(4)
});
export type ConnectionSettings = z.infer<typeof ConnectionSettingsSchema>;

const NameSchema = z.string().trim().min(1, 'Give the connection a name.').max(80);
/** Empty or absent on an edit means "keep the stored password". */
const PasswordSchema = z.string().max(1000).optional();

export const ConnectionInputSchema = ConnectionSettingsSchema.extend({
  name: NameSchema,
  kind: KindSchema.default('postgres'),
  password: PasswordSchema
});
export type ConnectionInput = z.infer<typeof ConnectionInputSchema>;

/** "Test connection" on a form: the settings as typed, and the saved connection whose password to reuse. */
export const ConnectionTestSchema = ConnectionSettingsSchema.extend({
  kind: KindSchema.default('postgres'),
  password: PasswordSchema,
  connectionId: z.string().max(40).optional()
});
export type ConnectionTest = z.infer<typeof ConnectionTestSchema>;

/** What every member may see of a connection (viewers see no more). */
export type ConnectionSummary = { id: string; name: string; kind: ConnectionKind };
/** What editors see: everything but the secret. */
export type ConnectionDetails = ConnectionSummary & {
  settings: ConnectionSettings;
  hasPassword: boolean;
  schemaFetchedAt: string | null;
};
