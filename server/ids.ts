// Random identifiers and secrets, and the id types the server's functions take.
//
// Every id is a string, so a call with several of them (userId, workspaceId, notebookId…) could swap two without
// anyone noticing. Each kind of id is its own branded type instead: one is made only by parsing (the schemas and
// parsers below, where ids enter from URLs and bodies), by newId here, or by declaring a SQL row's columns.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { z } from 'zod';
import { CELL_ID } from '../cells/document';
import { notFound, type AppError } from './errors';

export type NotebookId = string & { readonly __brand: 'NotebookId' };
export type WorkspaceId = string & { readonly __brand: 'WorkspaceId' };
export type UserId = string & { readonly __brand: 'UserId' };
export type ConnectionId = string & { readonly __brand: 'ConnectionId' };
/** A notebook cell's id, as the browser made it (cells/document.ts); safe in a file name. */
export type CellId = string & { readonly __brand: 'CellId' };

/** What newId makes. */
const PUBLIC_ID = /^[a-z2-7]{16}$/;

const idSchema = <T extends string>(pattern: RegExp, what: string) =>
  z.custom<T>((v) => typeof v === 'string' && pattern.test(v), `That is not a ${what} id.`);

export const NotebookIdSchema = idSchema<NotebookId>(PUBLIC_ID, 'notebook');
export const WorkspaceIdSchema = idSchema<WorkspaceId>(PUBLIC_ID, 'workspace');
export const UserIdSchema = idSchema<UserId>(PUBLIC_ID, 'user');
export const ConnectionIdSchema = idSchema<ConnectionId>(PUBLIC_ID, 'connection');
export const CellIdSchema = idSchema<CellId>(CELL_ID, 'cell');

/**
 * An id from a request. One that cannot be an id is answered like one that names nothing (`missing`, by default
 * "`what` was not found"), as the lookup it never reaches would have.
 */
export function parseId<T>(schema: z.ZodType<T>, value: unknown, missing: string | (() => AppError)): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw typeof missing === 'string' ? notFound(missing) : missing();
}

export const notebookIdParam = (v: unknown) => parseId(NotebookIdSchema, v, 'That notebook');
export const workspaceIdParam = (v: unknown) => parseId(WorkspaceIdSchema, v, 'That workspace');
export const connectionIdParam = (v: unknown) => parseId(ConnectionIdSchema, v, 'That connection');

function randomBase32(bytes: number): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return encodeBase32LowerCaseNoPadding(b);
}

/** Public ids in URLs: 16 base32 characters (80 bits). */
export const newId = (): string => randomBase32(10);

export const newNotebookId = (): NotebookId => NotebookIdSchema.parse(newId());
export const newWorkspaceId = (): WorkspaceId => WorkspaceIdSchema.parse(newId());
export const newUserId = (): UserId => UserIdSchema.parse(newId());
export const newConnectionId = (): ConnectionId => ConnectionIdSchema.parse(newId());

/** Bearer secrets (session tokens, invite links): 160 bits, as Lucia's guide suggests. */
export const newToken = (): string => randomBase32(20);

/** What we store instead of a token. */
export const hashToken = (token: string): string =>
  encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
