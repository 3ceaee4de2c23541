// What a failure of the browser's engine itself (not of the user's SQL) means for the person running a cell.
// DuckDB-WASM reports a WebAssembly trap with V8's wording ("function signature mismatch", "unreachable",
// "memory access out of bounds"), which says nothing a user can act on, and an engine that trapped is left in
// an undefined state: the caller restarts it. A query that needs an extension DuckDB would fetch from
// extensions.duckdb.org fails because Sheaf loads nothing from other hosts; that gets its own message.

export type EngineFailure = { message: string; restart: boolean };

const TRAP =
  /function signature mismatch|\bunreachable\b|memory access out of bounds|RuntimeError|Aborted\(|call stack size|table index is out of bounds|enlarge memory/i;
/** DuckDB's own "Out of Memory Error": the query was refused, the engine is fine. */
const QUERY_OUT_OF_MEMORY = /failed to allocate|could not allocate|out of memory/i;
const KNOWN_EXTENSION =
  /\b(json|parquet|httpfs|icu|spatial|excel|fts|inet|tpch|tpcds|autocomplete|delta|iceberg)\b/i;
const EXTENSION = /extension/i;
const EXTENSION_FETCH =
  /could not be loaded|failed to (download|install|load)|autoload|extensions\.duckdb\.org/i;

/** Describes `raw` when it is the engine failing rather than the query being wrong; null otherwise. */
export function engineFailure(raw: string): EngineFailure | null {
  if (EXTENSION.test(raw) && EXTENSION_FETCH.test(raw)) {
    const name = KNOWN_EXTENSION.exec(raw)?.[1]?.toLowerCase();
    return {
      restart: false,
      message:
        `This query needs a DuckDB extension${name ? ` (${name})` : ''} that the browser's engine ` +
        'would have to download from the internet, and Sheaf loads nothing from other hosts. ' +
        'Rewrite it without that function or file format, or run it on a connection.' +
        (name === 'json'
          ? ' If it reads a JSON file uploaded before Sheaf stored mixed-type fields as text, upload the file again.'
          : '')
    };
  }
  if (TRAP.test(raw)) {
    const memory = /enlarge memory|out of memory/i.test(raw);
    return {
      restart: true,
      message:
        (memory
          ? 'The browser ran out of memory for this query, and its SQL engine stopped. '
          : 'The SQL engine in your browser failed while running this query and stopped. ') +
        'Sheaf has restarted it: run the cell again. If it happens again, filter or aggregate the data first ' +
        '(select fewer columns or rows), or run the query on a connection.'
    };
  }
  if (QUERY_OUT_OF_MEMORY.test(raw)) {
    return {
      restart: false,
      message:
        'This query needs more memory than the browser gives its SQL engine. Filter or aggregate the data first ' +
        '(select fewer columns or rows), or run the query on a connection.'
    };
  }
  return null;
}
