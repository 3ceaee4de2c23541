import { getDb } from '$server/db/instance';
import { actionFailure, pageError } from '$server/http/respond';
import {
  createNotebook,
  deleteNotebook,
  listNotebooks,
  renameNotebook,
  restoreNotebook,
  TRASH_DAYS
} from '$server/notebooks/notebooks';
import { forkNotebook, listTemplates } from '$server/notebooks/fork';
import { loadConfig } from '$server/config';
import { notebookIdParam, workspaceIdParam } from '$server/ids';
import { formFields } from '$server/validate';
import { canWrite } from '$server/workspaces/roles';
import { getWorkspace } from '$server/workspaces/workspaces';
import { mentionsOf } from '$server/comments/mentions';
import { requireUser } from '$lib/server/guard';
import { redirect } from '@sveltejs/kit';

export async function load({ locals, params, url }) {
  const user = requireUser(locals, url);
  const db = await getDb();
  const q = url.searchParams.get('q') ?? '';
  const trash = url.searchParams.get('view') === 'trash';
  try {
    const workspaceId = workspaceIdParam(params.workspaceId);
    const workspace = await getWorkspace(db, user.id, workspaceId);
    const notebooks = await listNotebooks(db, user.id, workspaceId, { q, trash });
    const templates = trash ? [] : await listTemplates(db, user.id, workspaceId);
    const mentions = trash ? [] : await mentionsOf(db, user.id, workspaceId);
    return {
      mentions,
      workspace,
      notebooks,
      templates,
      q,
      trash,
      canWrite: canWrite(workspace.role),
      trashDays: TRASH_DAYS
    };
  } catch (e) {
    pageError(e);
  }
}

export const actions = {
  useTemplate: async ({ locals, params, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    let created;
    try {
      created = await forkNotebook(await getDb(), loadConfig().dataDir, user.id, notebookIdParam(fields.id), {
        workspaceId: params.workspaceId,
        title: fields.title
      });
    } catch (e) {
      return actionFailure(e, fields);
    }
    redirect(303, `/n/${created.id}`);
  },
  create: async ({ locals, params, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    let created;
    try {
      created = await createNotebook(await getDb(), user.id, workspaceIdParam(params.workspaceId), {
        title: fields.title?.trim() ? fields.title : undefined
      });
    } catch (e) {
      return actionFailure(e, fields);
    }
    redirect(303, `/n/${created.id}`);
  },
  rename: async ({ locals, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    try {
      const r = await renameNotebook(await getDb(), user.id, notebookIdParam(fields.id), fields);
      return { renamed: r.id };
    } catch (e) {
      return actionFailure(e, fields);
    }
  },
  delete: async ({ locals, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    try {
      await deleteNotebook(await getDb(), user.id, notebookIdParam(fields.id));
      return { deleted: fields.id, title: fields.title ?? '' };
    } catch (e) {
      return actionFailure(e, fields);
    }
  },
  restore: async ({ locals, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    try {
      await restoreNotebook(await getDb(), user.id, notebookIdParam(fields.id));
      return { restored: fields.id };
    } catch (e) {
      return actionFailure(e, fields);
    }
  }
};
