// bench:chunks — what a page must download before it runs: the route's JavaScript (its node, SvelteKit's entry and
// the root layout, with every chunk they import statically) and CSS, raw / gzip / brotli bytes, the packages that
// fill them, and the chunks loaded later on demand. Deterministic (no timing): reads the last build's
// .svelte-kit/output/chunks.json, written by vite.config.ts's chunk report.
//   npm run bench:chunks -- [--route src/routes/n/[notebookId]/+page.svelte] [--top 25]
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const { values } = parseArgs({
  options: {
    route: { type: 'string', default: 'src/routes/n/[notebookId]/+page.svelte' },
    top: { type: 'string', default: '25' }
  }
});
const OUT = '.svelte-kit/output';
if (!existsSync(`${OUT}/chunks.json`)) throw new Error('no chunk report: run `npm run build` first');
type Chunk = {
  file: string;
  entry: string | null;
  imports: string[];
  dynamicImports: string[];
  css: string[];
  modules: Record<string, number>;
};
const chunks = JSON.parse(readFileSync(`${OUT}/chunks.json`, 'utf8')) as Chunk[];
const byFile = new Map(chunks.map((c) => [c.file, c]));
const entryOf = (suffix: string) => {
  const c = chunks.find((c) => c.entry?.endsWith(suffix));
  if (!c) throw new Error(`no chunk for ${suffix}`);
  return c;
};
/** The chunk of SvelteKit's node (a generated file re-exporting the component) for this +page/+layout file. */
const nodeOf = (file: string) => {
  const c = chunks.find(
    (c) =>
      c.entry?.includes('/client-optimized/nodes/') && readFileSync(c.entry, 'utf8').includes(`/${file}"`)
  );
  if (!c) throw new Error(`no node for ${file}`);
  return c;
};

const sizes = (file: string) => {
  const body = readFileSync(path.join(OUT, 'client', file));
  return {
    raw: body.length,
    gzip: gzipSync(body, { level: 9 }).length,
    brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
  };
};
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** Every chunk loaded with these, following static imports only. */
function closure(roots: Chunk[]): Chunk[] {
  const seen = new Map<string, Chunk>();
  const visit = (c: Chunk) => {
    if (seen.has(c.file)) return;
    seen.set(c.file, c);
    for (const i of c.imports) visit(byFile.get(i)!);
  };
  roots.forEach(visit);
  return [...seen.values()];
}

/** node_modules/<package> (or the source folder) a module belongs to. */
function owner(id: string): string {
  const clean = id.replace(/\?.*$/, '').replace(/^\0/, '');
  const nm = clean.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = clean.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const rel = path.relative(process.cwd(), clean);
  return rel.startsWith('..') ? clean : rel.split('/').slice(0, 3).join('/');
}

const roots = [
  entryOf('/client/entry.js'),
  entryOf('/client-optimized/app.js'),
  nodeOf('src/routes/+layout.svelte'),
  nodeOf(values.route!)
];
const first = closure(roots);
const css = [...new Set(first.flatMap((c) => c.css))];
let raw = 0,
  gzip = 0,
  brotli = 0;
console.log(
  `bench:chunks — ${values.route}: loaded before the page runs (static imports of its node, entry, layout)`
);
for (const f of [...first.map((c) => c.file), ...css]) {
  const s = sizes(f);
  raw += s.raw;
  gzip += s.gzip;
  brotli += s.brotli;
  if (s.raw > 10_000)
    console.log(`  ${f.padEnd(48)} ${kb(s.raw).padStart(10)} raw ${kb(s.gzip).padStart(9)} gzip`);
}
console.log(
  `  total: ${first.length} JS + ${css.length} CSS files = ${first.length + css.length} requests; ` +
    `${kb(raw)} raw, ${kb(gzip)} gzip -9, ${kb(brotli)} brotli -11`
);

const owners = new Map<string, number>();
for (const c of first)
  for (const [id, n] of Object.entries(c.modules)) owners.set(owner(id), (owners.get(owner(id)) ?? 0) + n);
const total = [...owners.values()].reduce((a, b) => a + b, 0);
console.log(`  by package (rendered bytes before minifying, ${kb(total)} in all):`);
for (const [o, n] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
  console.log(`    ${o.padEnd(52)} ${kb(n).padStart(10)} ${((n / total) * 100).toFixed(1).padStart(5)}%`);

const firstFiles = new Set(first.map((c) => c.file));
// Other routes' nodes are dynamic imports of SvelteKit's app entry: not this page's.
const lazy = closure(
  first
    .flatMap((c) => c.dynamicImports.map((f) => byFile.get(f)!))
    .filter((c) => !c.entry?.includes('/nodes/'))
).filter((c) => !firstFiles.has(c.file));
console.log(`  loaded on demand (dynamic imports from these and what they import), largest first:`);
for (const c of lazy
  .map((c) => ({ c, s: sizes(c.file) }))
  .sort((a, b) => b.s.raw - a.s.raw)
  .filter(({ s }) => s.raw > 2_000)) {
  const top = Object.entries(c.c.modules)
    .reduce((m, [id, n]) => m.set(owner(id), (m.get(owner(id)) ?? 0) + n), new Map<string, number>())
    .entries();
  const main = [...top]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([o]) => o);
  console.log(
    `    ${c.c.file.padEnd(48)} ${kb(c.s.raw).padStart(10)} raw ${kb(c.s.gzip).padStart(9)} gzip  ${main.join(', ')}`
  );
}
