// Branded ids (server/ids.ts). The swapped calls below are checked by the compiler, not by vitest: `npx tsc
// --noEmit` and `npm run check` fail when a `@ts-expect-error` line stops being an error, i.e. when two kinds
// of id become interchangeable again. The parsers, which are the only way a brand is made, are checked at run time.
import { describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/types';
import {
  CellIdSchema,
  ConnectionIdSchema,
  newNotebookId,
  newUserId,
  newWorkspaceId,
  notebookIdParam,
  NotebookIdSchema,
  parseId,
  UserIdSchema,
  workspaceIdParam,
  type ConnectionId,
  type NotebookId,
  type UserId,
  type WorkspaceId
} from '../../server/ids';
import type { createNotebook } from '../../server/notebooks/notebooks';
import type { openConnection } from '../../server/connectors/store';
import type { requireNotebookRole } from '../../server/workspaces/access';
import { memberIdParam, type removeMember } from '../../server/workspaces/workspaces';

declare const db: Db;
declare const ids: { user: UserId; workspace: WorkspaceId; notebook: NotebookId; connection: ConnectionId };
declare const calls: {
  createNotebook: typeof createNotebook;
  requireNotebookRole: typeof requireNotebookRole;
  removeMember: typeof removeMember;
  openConnection: typeof openConnection;
};

/** Never run: it exists for the compiler. */
export function swappedIdsDoNotCompile() {
  const { user, workspace, notebook, connection } = ids;
  void calls.createNotebook(db, user, workspace, {});
  // @ts-expect-error the workspace's id where the user's goes, and the other way round
  void calls.createNotebook(db, workspace, user, {});
  void calls.requireNotebookRole(db, user, notebook, 'viewer');
  // @ts-expect-error a notebook id is no user id
  void calls.requireNotebookRole(db, notebook, user, 'viewer');
  // @ts-expect-error the actor and the member removed are both users, but the workspace is not one
  void calls.removeMember(db, user, user, workspace);
  // @ts-expect-error a workspace's id where a connection's goes
  void calls.openConnection(db, null!, { userId: user, connectionId: workspace, needed: 'editor' });
  void connection;
  // @ts-expect-error a plain string is no id: ids come from parsing
  const fromText: NotebookId = 'aaaaaaaaaaaaaaaa';
  void fromText;
}

const SAMPLE = 'abcdefghijkmnop2'; // 16 base32 characters, as newId makes

describe('id parsers', () => {
  it('accept the ids the server makes, each kind from its own maker', () => {
    for (const id of [newNotebookId(), newWorkspaceId(), newUserId(), SAMPLE]) {
      expect(NotebookIdSchema.safeParse(id).success).toBe(true);
      expect(UserIdSchema.safeParse(id).success).toBe(true);
    }
    expect(newNotebookId()).not.toBe(newNotebookId());
    expect(notebookIdParam(SAMPLE)).toBe(SAMPLE);
  });

  it('refuse what cannot be an id', () => {
    const bad = [
      '',
      'ABCDEFGHIJKMNOP2',
      'abcdefghijkmnop1',
      `${SAMPLE}a`,
      SAMPLE.slice(1),
      '../../etc/passwd'
    ];
    for (const v of [...bad, null, undefined, 42, { id: SAMPLE }]) {
      expect(NotebookIdSchema.safeParse(v).success, String(v)).toBe(false);
      expect(ConnectionIdSchema.safeParse(v).success, String(v)).toBe(false);
    }
  });

  it('take cell ids as browsers make them, but nothing that would leave a folder', () => {
    expect(CellIdSchema.safeParse('0f3a9c2e7b1d4e6f').success).toBe(true);
    for (const v of ['', '../results', 'a/b', 'a b', 'x'.repeat(65), null])
      expect(CellIdSchema.safeParse(v).success, String(v)).toBe(false);
  });

  it('answer an id that cannot be one as the missing thing it names', () => {
    expect(() => notebookIdParam('nope')).toThrow(
      expect.objectContaining({ code: 'not_found', message: 'That notebook was not found.' })
    );
    expect(() => workspaceIdParam(undefined)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => memberIdParam('')).toThrow(
      expect.objectContaining({
        code: 'not_found',
        message: 'That person is not a member of this workspace.'
      })
    );
    expect(() => parseId(UserIdSchema, 'x', 'That account')).toThrow('That account was not found.');
  });
});
