import { redirect } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { actionFailure, pageError } from '$server/http/respond';
import { forkNotebook, originOf, setTemplate } from '$server/notebooks/fork';
import { formFields } from '$server/validate';
import { requireNotebookRole } from '$server/workspaces/access';
import { canWrite } from '$server/workspaces/roles';
import { listWorkspaces } from '$server/workspaces/workspaces';
import { requireUser } from '$lib/server/guard';

export async function load({ locals, params, url }) {
  const user = requireUser(locals, url);
  try {
    const db = await getDb();
    const { notebook, role } = await requireNotebookRole(db, user.id, params.notebookId, 'viewer');
    const origin = await originOf(db, user.id, notebook.id);
    const targets = (await listWorkspaces(db, user.id)).filter((w) => canWrite(w.role));
    return {
      notebook: { id: notebook.id, title: notebook.title, workspaceId: notebook.workspaceId },
      me: { id: user.id, name: user.name },
      role,
      canWrite: canWrite(role),
      template: origin.template,
      forkedFrom: origin.forkedFrom,
      forkTargets: targets.map((w) => ({ id: w.id, name: w.name }))
    };
  } catch (e) {
    pageError(e);
  }
}

export const actions = {
  fork: async ({ locals, params, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    let fork;
    try {
      fork = await forkNotebook(await getDb(), loadConfig().dataDir, user.id, params.notebookId, {
        workspaceId: fields.workspaceId,
        title: fields.title?.trim() ? fields.title.trim() : undefined
      });
    } catch (e) {
      return actionFailure(e, fields);
    }
    redirect(303, `/n/${fork.id}`);
  },
  template: async ({ locals, params, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    try {
      await setTemplate(await getDb(), user.id, params.notebookId, fields.template);
      return { template: fields.template };
    } catch (e) {
      return actionFailure(e, fields);
    }
  }
};
