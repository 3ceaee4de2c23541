// The form action behind ForkForm, for the notebook page and the published dashboard: read the form, fork with
// the page's own function, open the copy (or show the form's error).
import { redirect, type RequestEvent } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import type { Db } from '$server/db/types';
import type { UserId } from '$server/ids';
import { actionFailure } from '$server/http/respond';
import { formFields } from '$server/validate';
import { requireUser } from './guard';

type Fork = (
  db: Db,
  dataDir: string,
  userId: UserId,
  input: { workspaceId?: string; title?: string }
) => Promise<{ id: string }>;

export async function forkAction({ locals, request, url }: RequestEvent, fork: Fork) {
  const user = requireUser(locals, url);
  const fields = formFields(await request.formData());
  let copy;
  try {
    copy = await fork(await getDb(), loadConfig().dataDir, user.id, {
      workspaceId: fields.workspaceId,
      title: fields.title?.trim() ? fields.title.trim() : undefined
    });
  } catch (e) {
    return actionFailure(e, fields);
  }
  redirect(303, `/n/${copy.id}`);
}
