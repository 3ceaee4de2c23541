// A person's saved connection to the sample PostgreSQL database, made the way the Databases panel makes one.
import type { SecretBox } from '../../../server/connectors/secret-box';
import { createConnection } from '../../../server/connectors/store';
import type { Db } from '../../../server/db/types';
import type { UserId, WorkspaceId } from '../../../server/ids';
import type { SampleDb } from './sample-db';

export function connectWarehouse(
  db: Db,
  box: SecretBox,
  who: { id: UserId; workspaceId: WorkspaceId },
  sample: SampleDb,
  name = 'Warehouse'
) {
  return createConnection(db, box, {
    userId: who.id,
    workspaceId: who.workspaceId,
    input: {
      name,
      host: sample.host,
      port: sample.port,
      database: sample.database,
      user: sample.role,
      password: sample.password,
      ssl: 'disable'
    }
  });
}
