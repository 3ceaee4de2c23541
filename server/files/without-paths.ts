// Takes the server's paths out of a message a user will read (DuckDB quotes the files it touched): where the
// server keeps its files is none of their business, and users know their file by its name anyway.

/** Replaces each of `paths`, then any other absolute path, with "the file". */
export function withoutPaths(message: string, paths: string[] = []): string {
  let out = message;
  for (const p of paths) if (p) out = out.split(p).join('the file');
  return out.replace(/(?<![\w.])\/(?:[\w.@-]+\/)+[\w.@-]*/g, 'the file');
}
