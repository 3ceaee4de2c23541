// The browser's side of /api/notebooks/:id/versions: list, open, compare, save and restore. Every answer is
// checked with zod before the History panel shows it — the panel trusts these shapes, and a server that answers
// something else (an older build behind a load balancer, a proxy's error page) should fail here with a message,
// not deep inside a template.
import { z } from 'zod';
import { errorMessage } from '$lib/api-error';

const PersonSchema = z.object({ id: z.string(), name: z.string() });

export const VersionKindSchema = z.enum(['auto', 'named', 'publish', 'restore', 'assistant']);
export type VersionKind = z.infer<typeof VersionKindSchema>;

const SummarySchema = z.object({
  added: z.number(),
  removed: z.number(),
  changed: z.number(),
  moved: z.number()
});
export type VersionSummary = z.infer<typeof SummarySchema>;

export const VersionInfoSchema = z.object({
  id: z.number(),
  kind: VersionKindSchema,
  label: z.string().nullable(),
  createdBy: PersonSchema.nullable(),
  createdAt: z.string(),
  editors: z.array(PersonSchema),
  summary: SummarySchema
});
export type VersionInfo = z.infer<typeof VersionInfoSchema>;

const CellViewSchema = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  source: z.string(),
  config: z.record(z.string(), z.unknown()),
  run: z.record(z.string(), z.unknown())
});

export const VersionContentSchema = z.object({
  version: VersionInfoSchema,
  title: z.string(),
  description: z.string(),
  cells: z.array(CellViewSchema),
  layout: z.array(z.unknown())
});
export type VersionContent = z.infer<typeof VersionContentSchema>;

const DiffLineSchema = z.object({ op: z.enum(['same', 'removed', 'added']), text: z.string() });
const PlaceSchema = z.object({ index: z.number(), kind: z.string(), name: z.string() }).nullable();

export const CellDiffSchema = z.object({
  id: z.string(),
  status: z.enum(['added', 'removed', 'changed', 'unchanged']),
  moved: z.boolean(),
  before: PlaceSchema,
  after: PlaceSchema,
  source: z.array(DiffLineSchema).optional(),
  config: z.object({ keys: z.array(z.string()), lines: z.array(DiffLineSchema) }).optional()
});

export const ComparisonSchema = z.object({
  cells: z.array(CellDiffSchema),
  meta: z.array(z.object({ key: z.string(), before: z.unknown(), after: z.unknown() })),
  layoutChanged: z.boolean(),
  summary: SummarySchema
});
export type Comparison = z.infer<typeof ComparisonSchema>;

/** Which people changed which cells between a version and the one before it (server/authors/authors.ts). */
export const VersionChangesSchema = z.object({
  cells: z.array(
    z.object({
      id: z.string(),
      status: z.enum(['added', 'removed', 'changed', 'moved']),
      index: z.number(),
      kind: z.string(),
      name: z.string(),
      people: z.array(PersonSchema)
    })
  ),
  people: z.array(PersonSchema)
});
export type VersionChanges = z.infer<typeof VersionChangesSchema>;

/** A failed request, with the server's own words when it gave some. */
export class HistoryError extends Error {}

async function call<T>(schema: z.ZodType<T>, url: string, fallback: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new HistoryError(`${fallback}: the server could not be reached.`);
  }
  if (!res.ok) throw new HistoryError(await errorMessage(res, fallback));
  const parsed = schema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new HistoryError(`${fallback}: the server’s answer was not understood.`);
  return parsed.data;
}

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body)
});

const base = (notebookId: string) => `/api/notebooks/${encodeURIComponent(notebookId)}/versions`;

export const listVersions = async (notebookId: string): Promise<VersionInfo[]> =>
  (
    await call(
      z.object({ versions: z.array(VersionInfoSchema) }),
      base(notebookId),
      'Could not load the history'
    )
  ).versions;

export const openVersion = (notebookId: string, versionId: number): Promise<VersionContent> =>
  call(VersionContentSchema, `${base(notebookId)}/${versionId}`, 'Could not open that version');

export const compareVersion = (notebookId: string, versionId: number): Promise<Comparison> =>
  call(ComparisonSchema, `${base(notebookId)}/${versionId}/compare`, 'Could not compare that version');

export const versionChanges = (notebookId: string, versionId: number): Promise<VersionChanges> =>
  call(
    VersionChangesSchema,
    `${base(notebookId)}/${versionId}/changes`,
    'Could not say who changed this version'
  );

export const saveVersion = async (notebookId: string, label: string): Promise<VersionInfo> =>
  (
    await call(
      z.object({ version: VersionInfoSchema }),
      base(notebookId),
      'Could not save the version',
      post({ label })
    )
  ).version;

/** Restores the whole notebook, or one cell; answers with the version stored just before (restoring it undoes
 * this restore). */
export const restoreVersion = async (
  notebookId: string,
  versionId: number,
  cellId?: string
): Promise<VersionInfo> =>
  (
    await call(
      z.object({ before: VersionInfoSchema }),
      `${base(notebookId)}/${versionId}/restore`,
      'Could not restore',
      post(cellId ? { cellId } : {})
    )
  ).before;
