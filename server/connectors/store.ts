// Connections of a workspace in the database: create, list, edit, delete, and (server-side only) open one with
// its password for use. Editors and owners manage connections; viewers see names only.
import { jsonValue } from '../db/json-value';
import type { Queryable } from '../db/types';
import { AppError, notFound } from '../errors';
import { newConnectionId, type ConnectionId, type UserId, type WorkspaceId } from '../ids';
import { parseInput } from '../validate';
import { requireWorkspaceRole } from '../workspaces/access';
import { atLeast, type Role } from '../workspaces/roles';
import type { SecretBox } from './secret-box';
import {
  ConnectionInputSchema,
  settingsSchemaFor,
  type FileSettings,
  type NetworkKind,
  type NetworkSettings,
  type ConnectionDetails,
  type ConnectionInput,
  type ConnectionKind,
  type ConnectionSummary
} from './settings';

type Row = {
  id: ConnectionId;
  workspace_id: WorkspaceId;
  name: string;
  kind: ConnectionKind;
  settings: unknown;
  secret: string | null;
  schema_fetched_at: Date | null;
  updated_at: Date;
};

/** A connection ready to use: lives only on the server. `version` changes whenever it is edited. */
type OpenBase = {
  id: ConnectionId;
  workspaceId: WorkspaceId;
  name: string;
  password: string | undefined;
  version: string;
};
export type NetworkConnection = OpenBase & { kind: NetworkKind; settings: NetworkSettings };
export type FileConnection = OpenBase & { kind: 'duckdb'; settings: FileSettings };
export type OpenConnection = NetworkConnection | FileConnection;

const COLUMNS = 'id, workspace_id, name, kind, settings, secret, schema_fetched_at, updated_at';

function details(r: Row): ConnectionDetails {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    settings: settingsSchemaFor(r.kind).parse(jsonValue(r.settings)),
    hasPassword: r.secret !== null,
    schemaFetchedAt: r.schema_fetched_at ? new Date(r.schema_fetched_at).toISOString() : null
  };
}

function split(input: ConnectionInput) {
  if (input.kind === 'duckdb') {
    const { name, kind, ...settings } = input;
    return { name, kind, settings, password: undefined };
  }
  const { name, kind, password, ...settings } = input;
  return { name, kind, settings, password };
}

const summary = (r: Row): ConnectionSummary => ({ id: r.id, name: r.name, kind: r.kind });

function nameTaken(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';
}
const NAME_TAKEN = () =>
  new AppError('conflict', 'This workspace already has a connection with that name.', {
    fields: { name: 'Pick another name.' }
  });

export async function listConnections(
  db: Queryable,
  userId: UserId,
  workspaceId: WorkspaceId
): Promise<{ role: Role; connections: (ConnectionSummary | ConnectionDetails)[] }> {
  const role = await requireWorkspaceRole(db, userId, workspaceId, 'viewer');
  const rows = await db.query<Row>(
    `select ${COLUMNS} from connections where workspace_id = $1 order by lower(name)`,
    [workspaceId]
  );
  return { role, connections: rows.map((r) => (atLeast(role, 'editor') ? details(r) : summary(r))) };
}

export async function createConnection(
  db: Queryable,
  box: SecretBox,
  args: { userId: UserId; workspaceId: WorkspaceId; input: unknown }
): Promise<ConnectionDetails> {
  await requireWorkspaceRole(db, args.userId, args.workspaceId, 'editor');
  const input = parseInput(ConnectionInputSchema, args.input);
  const { name, kind, settings, password } = split(input);
  const id = newConnectionId();
  const secret = password ? box.seal(password, id) : null;
  try {
    const rows = await db.query<Row>(
      `insert into connections (id, workspace_id, name, kind, settings, secret, created_by)
       values ($1, $2, $3, $4, $5::text::jsonb, $6, $7) returning ${COLUMNS}`,
      [id, args.workspaceId, name, kind, JSON.stringify(settings), secret, args.userId]
    );
    return details(rows[0] as Row);
  } catch (e) {
    throw nameTaken(e) ? NAME_TAKEN() : e;
  }
}

async function rowFor(db: Queryable, userId: UserId, connectionId: ConnectionId, needed: Role) {
  const rows = await db.query<Row>(`select ${COLUMNS} from connections where id = $1`, [connectionId]);
  const row = rows[0];
  if (!row) throw notFound('That connection');
  try {
    await requireWorkspaceRole(db, userId, row.workspace_id, needed);
  } catch (e) {
    // Outsiders must not learn the connection exists.
    if (e instanceof AppError && e.code === 'not_found') throw notFound('That connection');
    throw e;
  }
  return row;
}

export async function updateConnection(
  db: Queryable,
  box: SecretBox,
  args: { userId: UserId; connectionId: ConnectionId; input: unknown }
): Promise<ConnectionDetails> {
  const row = await rowFor(db, args.userId, args.connectionId, 'editor');
  const { name, kind, settings, password } = split(parseInput(ConnectionInputSchema, args.input));
  if (kind !== 'duckdb' && !password && row.secret) requireSameTarget(row, kind, settings as NetworkSettings);
  // A file has no password; switching a connection to one drops the stored secret.
  const secret = kind === 'duckdb' ? null : password ? box.seal(password, row.id) : row.secret;
  try {
    const rows = await db.query<Row>(
      `update connections set name = $2, kind = $3, settings = $4::text::jsonb, secret = $5, updated_at = now()
        where id = $1 returning ${COLUMNS}`,
      [row.id, name, kind, JSON.stringify(settings), secret]
    );
    return details(rows[0] as Row);
  } catch (e) {
    throw nameTaken(e) ? NAME_TAKEN() : e;
  }
}

const SSL_STRENGTH = { disable: 0, prefer: 1, require: 2, 'verify-full': 3 } as const;

/**
 * The stored password may only go where it went before: otherwise an editor could point the connection (or a
 * "test") at a server of their own, without TLS, and be sent the password.
 */
export function requireSameTarget(
  row: { kind: string; settings: unknown },
  kind: string,
  next: NetworkSettings
) {
  const before = settingsSchemaFor(row.kind as ConnectionKind).safeParse(jsonValue(row.settings));
  const prev = before.success && 'host' in before.data ? before.data : null;
  const same =
    prev &&
    row.kind === kind &&
    prev.host.toLowerCase() === next.host.toLowerCase() &&
    prev.port === next.port &&
    prev.user === next.user &&
    SSL_STRENGTH[next.ssl] >= SSL_STRENGTH[prev.ssl];
  if (!same) {
    throw new AppError(
      'invalid',
      'Enter the password again: the host, port, user or SSL setting changed, and the saved password only goes where it went before.',
      { fields: { password: 'Enter the password for the new settings.' } }
    );
  }
}

export async function deleteConnection(
  db: Queryable,
  userId: UserId,
  connectionId: ConnectionId
): Promise<void> {
  const row = await rowFor(db, userId, connectionId, 'editor');
  await db.query('delete from connections where id = $1', [row.id]);
}

/** The connection with its password, for running queries, introspecting or testing. Never sent to a browser. */
export async function openConnection(
  db: Queryable,
  box: SecretBox,
  args: { userId: UserId; connectionId: ConnectionId; needed: Role }
): Promise<OpenConnection> {
  const row = await rowFor(db, args.userId, args.connectionId, args.needed);
  const base = {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    password: row.secret ? box.open(row.secret, row.id) : undefined,
    version: new Date(row.updated_at).toISOString()
  };
  return row.kind === 'duckdb'
    ? {
        ...base,
        kind: 'duckdb',
        settings: settingsSchemaFor('duckdb').parse(jsonValue(row.settings)) as FileSettings
      }
    : {
        ...base,
        kind: row.kind,
        settings: settingsSchemaFor(row.kind).parse(jsonValue(row.settings)) as NetworkSettings
      };
}
