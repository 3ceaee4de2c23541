import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { actionFailure, pageError } from '$server/http/respond';
import { forkNotebook, originOf, setTemplate } from '$server/notebooks/fork';
import { appSecretBox } from '$server/connectors/secret-box';
import { publicationStatus, publish, updatePublication } from '$server/publish/publications';
import { notebookIdParam } from '$server/ids';
import { formFields } from '$server/validate';
import { requireNotebookRole } from '$server/workspaces/access';
import { canWrite } from '$server/workspaces/roles';
import { listWorkspaces } from '$server/workspaces/workspaces';
import { firstPaintHints } from '$server/notebooks/first-paint';
import { embeddedResults } from '$server/notebooks/embedded-results';
import { forkAction } from '$lib/server/fork-action';
import { requireUser } from '$lib/server/guard';

export async function load({ locals, params, url }) {
  const user = requireUser(locals, url);
  try {
    const db = await getDb();
    const notebookId = notebookIdParam(params.notebookId);
    const { notebook, role } = await requireNotebookRole(db, user.id, notebookId, 'viewer');
    // Independent reads, in parallel: the page's first byte waits for all of them.
    const [origin, workspaces, publication, hints] = await Promise.all([
      originOf(db, user.id, notebook.id),
      listWorkspaces(db, user.id),
      publicationStatus(db, user.id, notebook.id),
      firstPaintHints(db, notebook.id)
    ]);
    // The first small stored results travel in the page; the others are preloaded.
    const results = await embeddedResults(db, loadConfig().dataDir, user.id, notebook.id, hints.preload);
    const targets = workspaces.filter((w) => canWrite(w.role));
    const writer = canWrite(role);
    return {
      notebook: { id: notebook.id, title: notebook.title, workspaceId: notebook.workspaceId },
      me: { id: user.id, name: user.name },
      role,
      canWrite: writer,
      // Whether DuckDB-WASM is worth starting as the notebook opens: known when the first-paint read was quick, else
      // null (the notebook then starts it when its cells show SQL in the browser). A plain value, not a promise: a
      // streamed promise resolves through an inline script sent after the headers, which the CSP's hashes cannot
      // admit, so it never resolved in a page the server rendered.
      localSql: writer ? hints.localSql : false,
      template: origin.template,
      forkedFrom: origin.forkedFrom,
      forkTargets: targets.map((w) => ({ id: w.id, name: w.name })),
      publication,
      preload: hints.preload.filter((r) => !results.some((e) => e.cellId === r.cellId)),
      results,
      // The document as the WebSocket would send it (this reader may read it: checked above, as the upgrade does),
      // so the cells paint before the socket has connected and synced.
      docState: hints.state
    };
  } catch (e) {
    pageError(e);
  }
}

const publishInput = (f: Record<string, string>) => ({
  visibility: f.visibility,
  showSql: f.showSql === 'on',
  allowFork: f.allowFork === 'on',
  schedule: f.schedule
});

export const actions = {
  publish: async ({ locals, params, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    const config = loadConfig();
    try {
      const deps = { dataDir: config.dataDir, secretBox: () => appSecretBox(config) };
      return {
        published: await publish(
          await getDb(),
          deps,
          user.id,
          notebookIdParam(params.notebookId),
          publishInput(fields)
        )
      };
    } catch (e) {
      return actionFailure(e, fields);
    }
  },
  unpublish: async ({ locals, params, url }) => {
    const user = requireUser(locals, url);
    try {
      return {
        published: await updatePublication(await getDb(), user.id, notebookIdParam(params.notebookId), {
          visibility: 'off'
        })
      };
    } catch (e) {
      return actionFailure(e);
    }
  },
  fork: (event) =>
    forkAction(event, (db, dataDir, userId, input) =>
      forkNotebook(db, dataDir, userId, notebookIdParam(event.params.notebookId), input)
    ),
  template: async ({ locals, params, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    try {
      await setTemplate(await getDb(), user.id, notebookIdParam(params.notebookId), fields.template);
      return { template: fields.template };
    } catch (e) {
      return actionFailure(e, fields);
    }
  }
};
