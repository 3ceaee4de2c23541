// Removes the throwaway database the e2e server used.
import { rm } from 'node:fs/promises';
import postgres from 'postgres';

export default async function teardown() {
  const data = process.env.SHEAF_E2E_DATA;
  if (data) await rm(data, { recursive: true, force: true });
  const url = process.env.TEST_DATABASE_URL;
  const schema = process.env.SHEAF_E2E_SCHEMA;
  if (url && schema && /^e2e_[a-z0-9]+$/.test(schema)) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql.unsafe(`drop schema if exists "${schema}" cascade`);
    await sql.end();
  }
}
