// Forks: a copy of a notebook in a workspace the forker can edit — its document (cells, results' run records,
// layout), the uploaded files its queries read and the stored results, so the copy works at once and never writes
// back to the original. Connections are not copied (they hold secrets): connection cells keep their SQL and ask for
// a connection of the new workspace. Templates are notebooks marked for reuse; "use template" is a fork.
import { copyFile, link, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import * as Y from 'yjs';
import { z } from 'zod';
import { orderedCells, setTitle } from '../../cells/document';
import { isSqlCell } from '../../cells/sql/kind';
import { referencedNames } from '../../cells/sql/references';
import { appendUpdates, loadDoc } from '../collab/doc-store';
import type { Db, Queryable } from '../db/types';
import { invalid, notFound } from '../errors';
import { workspaceFilesDir } from '../files/files';
import { resultsDir } from '../results/results';
import {
  newId,
  newNotebookId,
  parseId,
  WorkspaceIdSchema,
  type NotebookId,
  type UserId,
  type WorkspaceId
} from '../ids';
import { parseInput } from '../validate';
import { requireNotebookRole, requireWorkspaceRole, roleIn } from '../workspaces/access';
import { TitleSchema } from './notebooks';

export type TemplateMode = 'no' | 'workspace' | 'public';

type Source = { id: NotebookId; workspaceId: WorkspaceId; title: string; template: TemplateMode };

/** Who may copy a notebook: its workspace's members, and anyone logged in when it is a public template. */
async function readableSource(db: Queryable, userId: UserId, notebookId: NotebookId): Promise<Source> {
  const rows = await db.query<{
    id: NotebookId;
    workspace_id: WorkspaceId;
    title: string;
    template: TemplateMode;
  }>('select id, workspace_id, title, template from notebooks where id = $1 and deleted_at is null', [
    notebookId
  ]);
  const row = rows[0];
  if (!row) throw notFound('That notebook');
  if (row.template !== 'public') await requireNotebookRole(db, userId, notebookId, 'viewer');
  return { id: row.id, workspaceId: row.workspace_id, title: row.title, template: row.template };
}

/** A hard link where the file system allows (stored files never change), a copy otherwise. */
const linkOrCopy = (src: string, dest: string) => link(src, dest).catch(() => copyFile(src, dest));

async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true }))
    if (entry.isFile()) await linkOrCopy(path.join(from, entry.name), path.join(to, entry.name));
}

const ForkSchema = z.object({
  workspaceId: z.string().min(1).max(64),
  title: TitleSchema.optional()
});

export async function forkNotebook(
  db: Db,
  dataDir: string,
  userId: UserId,
  sourceId: NotebookId,
  input: unknown
): Promise<{ id: NotebookId; title: string }> {
  const source = await readableSource(db, userId, sourceId);
  const original = await loadDoc(db, sourceId);
  try {
    return await copyNotebook(db, dataDir, userId, source, Y.encodeStateAsUpdate(original), input);
  } finally {
    original.destroy();
  }
}

/**
 * Copies `state` (the source's document, or the frozen one a dashboard was published from) into a new notebook
 * in the workspace `input` names. The caller has checked that `userId` may read the source.
 */
export async function copyNotebook(
  db: Db,
  dataDir: string,
  userId: UserId,
  source: { id: NotebookId; workspaceId: WorkspaceId; title: string },
  state: Uint8Array,
  input: unknown,
  opts: { copyResults: boolean } = { copyResults: true }
): Promise<{ id: NotebookId; title: string }> {
  const sourceId = source.id;
  const { workspaceId: given, title: wanted } = parseInput(ForkSchema, input);
  const workspaceId = parseId(WorkspaceIdSchema, given, 'That workspace');
  await requireWorkspaceRole(db, userId, workspaceId, 'editor');
  const title = (wanted ?? `${source.title} (copy)`).slice(0, 200);

  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  setTitle(doc, title);
  const cells = orderedCells(doc);
  const id = newNotebookId();

  // Files the queries read, into the new workspace (same table names; a name taken there gets the existing file).
  const read = new Set(cells.filter(isSqlCell).flatMap((c) => [...referencedNames(c.source.toString())]));
  const files =
    workspaceId === source.workspaceId
      ? []
      : (
          await db.query<{ id: string; table_name: string }>(
            'select id, table_name from files where workspace_id = $1',
            [source.workspaceId]
          )
        ).filter((f) => read.has(f.table_name.toLowerCase()));
  const taken = new Set(
    (
      await db.query<{ t: string }>('select lower(table_name) as t from files where workspace_id = $1', [
        workspaceId
      ])
    ).map((r) => r.t)
  );
  const copiedFiles: { from: string; to: string }[] = [];
  for (const f of files) {
    if (taken.has(f.table_name.toLowerCase())) continue;
    const to = newId();
    await copyTree(
      path.join(workspaceFilesDir(dataDir, source.workspaceId), f.id),
      path.join(workspaceFilesDir(dataDir, workspaceId), to)
    );
    copiedFiles.push({ from: f.id, to });
  }

  // Stored results, so the copy shows them without running anything.
  const results = opts.copyResults
    ? await db.query<{ cell_id: string; run_id: string; bytes: string }>(
        'select cell_id, run_id, bytes::text as bytes from results where notebook_id = $1',
        [sourceId]
      )
    : [];
  if (results.length) {
    const from = resultsDir(dataDir, sourceId);
    const to = resultsDir(dataDir, id);
    await mkdir(to, { recursive: true });
    for (const r of results) {
      const name = `${r.cell_id}-${r.run_id}.arrow`;
      await linkOrCopy(path.join(from, name), path.join(to, name));
    }
  }

  await db.transaction(async (tx) => {
    await tx.query(
      'insert into notebooks (id, workspace_id, title, created_by, forked_from) values ($1, $2, $3, $4, $5)',
      [id, workspaceId, title, userId, sourceId]
    );
    await appendUpdates(tx, id, [Y.encodeStateAsUpdate(doc)]);
    for (const f of copiedFiles) {
      await tx.query(
        `insert into files (id, workspace_id, table_name, original_name, format, size_bytes, parquet_bytes, row_count,
                            columns, created_by)
         select $1, $2, table_name, original_name, format, size_bytes, parquet_bytes, row_count, columns, $3
           from files where id = $4`,
        [f.to, workspaceId, userId, f.from]
      );
    }
    for (const r of results)
      await tx.query(
        'insert into results (notebook_id, cell_id, run_id, bytes, created_by) values ($1, $2, $3, $4::bigint, $5)',
        [id, r.cell_id, r.run_id, r.bytes, userId]
      );
  });
  doc.destroy();
  return { id, title };
}

export async function setTemplate(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId,
  mode: unknown
): Promise<void> {
  const parsed = z.enum(['no', 'workspace', 'public']).safeParse(mode);
  if (!parsed.success) throw invalid('A template is for no one, the workspace, or everyone (public).');
  await requireNotebookRole(db, userId, notebookId, 'editor');
  await db.query('update notebooks set template = $2 where id = $1', [notebookId, parsed.data]);
}

export type TemplateSummary = { id: NotebookId; title: string; workspaceName: string; public: boolean };

/** The workspace's own templates, then public ones from anywhere. */
export async function listTemplates(
  db: Queryable,
  userId: UserId,
  workspaceId: WorkspaceId
): Promise<TemplateSummary[]> {
  await requireWorkspaceRole(db, userId, workspaceId, 'viewer');
  return db.query<TemplateSummary>(
    `select n.id, n.title, w.name as "workspaceName", n.template = 'public' as public
       from notebooks n join workspaces w on w.id = n.workspace_id
      where n.deleted_at is null
        and ((n.workspace_id = $1 and n.template <> 'no') or n.template = 'public')
      order by (n.workspace_id = $1) desc, n.updated_at desc
      limit 100`,
    [workspaceId]
  );
}

/** Where a notebook came from, if the viewer may see that notebook; and whether it is a template. */
export async function originOf(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId
): Promise<{
  template: TemplateMode;
  forkedFrom: { id: NotebookId; title: string; visible: boolean } | null;
}> {
  const rows = await db.query<{
    template: TemplateMode;
    origin_id: NotebookId | null;
    origin_title: string | null;
    origin_ws: WorkspaceId | null;
    origin_template: TemplateMode | null;
  }>(
    `select n.template, o.id as origin_id, o.title as origin_title, o.workspace_id as origin_ws,
            o.template as origin_template
       from notebooks n left join notebooks o on o.id = n.forked_from and o.deleted_at is null
      where n.id = $1`,
    [notebookId]
  );
  const row = rows[0];
  if (!row) throw notFound('That notebook');
  if (!row.origin_id) return { template: row.template, forkedFrom: null };
  const visible =
    row.origin_template === 'public' ||
    (row.origin_ws !== null && (await roleIn(db, userId, row.origin_ws)) !== null);
  return {
    template: row.template,
    forkedFrom: {
      id: row.origin_id,
      title: visible ? (row.origin_title ?? '') : 'a notebook you cannot open',
      visible
    }
  };
}
