// A jsonb column's value: PGlite hands it over parsed, postgres.js (as configured here) as text.
export const jsonValue = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
