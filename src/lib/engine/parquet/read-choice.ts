// Whether a query reads what it needs of a file in pieces (range requests on the Parquet, decoded in JavaScript and
// inserted into DuckDB-WASM) or the file's whole DuckDB copy (one download; DuckDB reads its own format with no
// conversion). Per byte, pieces cost far more: every value is decoded in JavaScript and inserted through Arrow, which
// the copy never needs. So pieces are for small slices of a file — the first look (`limit 10`), a filter that keeps a
// few row groups, one narrow column of a big file — and the copy is for the rest. Once a file is read whole, later
// queries read the same copy and need nothing more.

/** What reading a query's pieces would still take. */
export type PiecesCost = { bytes: number; values: number };

/**
 * One value read in pieces (decoded in JavaScript, inserted into DuckDB-WASM), counted in bytes of the copy that can
 * be downloaded and attached in the same time. bench:sql (3M rows, a busy 2-core machine, server on the same host):
 * 0.2–0.7 µs a value in pieces against 5–11 ms per MB to download, register and attach the copy, so 20–150 bytes;
 * where both pay a 100 Mbit/s link it comes to about 7–12. 16 sits between, nearer the slow link: the first look and
 * other small slices stay in pieces, a query over whole columns reads the copy unless it is many times larger.
 */
export const VALUE_COST_BYTES = 16;

/** A copy larger than this is read whole only when pieces cannot be: the whole of it sits in the browser's memory. */
export const WHOLE_AT_MOST = 256 * 1024 ** 2;

/** True when downloading the whole copy (`copyBytes`, null if unknown) costs less than reading the pieces. */
export function wholeIsCheaper(pieces: PiecesCost, copyBytes: number | null): boolean {
  if (copyBytes === null || copyBytes > WHOLE_AT_MOST) return false;
  if (pieces.values === 0 && pieces.bytes === 0) return false; // everything needed is loaded
  return copyBytes < pieces.bytes + pieces.values * VALUE_COST_BYTES;
}
