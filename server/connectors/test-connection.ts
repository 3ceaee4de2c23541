// "Test connection": only editors of the workspace may make the server connect somewhere (it is a way to probe
// the server's network); a saved connection's password is reused when the form leaves it unchanged.
import { z } from 'zod';
import type { Queryable } from '../db/types';
import { notFound } from '../errors';
import { connectionIdParam, workspaceIdParam, type UserId } from '../ids';
import { parseInput } from '../validate';
import { requireWorkspaceRole } from '../workspaces/access';
import { testSettings } from './engines';
import type { TestResult } from './query-error';
import type { SecretBox } from './secret-box';
import { ConnectionTestSchema } from './settings';
import { openConnection, requireSameTarget } from './store';

const WorkspaceSchema = z.object({ workspaceId: z.string().min(1).max(40) });

export async function testConnection(
  db: Queryable,
  box: SecretBox,
  /** `signal`: the request went away; the test stops (it also stops on its own deadline, see deadline.ts). */
  args: { userId: UserId; input: unknown; signal?: AbortSignal }
): Promise<TestResult> {
  const { workspaceId: given } = parseInput(WorkspaceSchema, args.input);
  const input = parseInput(ConnectionTestSchema, args.input);
  const workspaceId = workspaceIdParam(given);
  await requireWorkspaceRole(db, args.userId, workspaceId, 'editor');
  if (input.kind === 'duckdb') {
    const { kind, connectionId, ...settings } = input;
    void connectionId;
    return testSettings({ kind, settings }, args.signal);
  }
  const { kind, connectionId, password, ...settings } = input;
  let secret = password || undefined;
  if (!secret && connectionId) {
    const saved = await openConnection(db, box, {
      userId: args.userId,
      connectionId: connectionIdParam(connectionId),
      needed: 'editor'
    });
    if (saved.workspaceId !== workspaceId) throw notFound('That connection');
    if (saved.password) requireSameTarget(saved, kind, settings);
    secret = saved.password;
  }
  return testSettings({ kind, settings, password: secret }, args.signal);
}
