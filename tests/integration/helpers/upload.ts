// A CSV uploaded through the real upload code, for tests that need a file in a workspace.
import { Readable } from 'node:stream';
import type { Db } from '../../../server/db/types';
import type { UserId, WorkspaceId } from '../../../server/ids';
import { storeUpload } from '../../../server/files/files';

export function uploadCsv(
  db: Db,
  dataDir: string,
  who: { id: UserId; workspaceId: WorkspaceId },
  fileName: string,
  csv: string
) {
  return storeUpload(db, dataDir, {
    userId: who.id,
    workspaceId: who.workspaceId,
    fileName,
    source: Readable.from([csv]),
    limitBytes: 1e6
  });
}
