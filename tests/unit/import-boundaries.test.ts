// The folder contract in ARCHITECTURE.md ("What may import what"), checked over the real source tree: shared
// code stays isomorphic, the server never reaches into the browser's code, and the browser reaches the server
// only through the files SvelteKit keeps on the server.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|svelte)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Where each value import (not `import type`, which compiles away) of a file points, as a path from the root. */
function valueImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const targets: string[] = [];
  const pattern =
    /(?:^|\n)\s*(import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(pattern)) {
    const spec = m[2] ?? m[3] ?? '';
    if (spec.startsWith('$lib/')) targets.push(join('src/lib', spec.slice(5)));
    else if (spec.startsWith('$cells/')) targets.push(join('cells', spec.slice(7)));
    else if (spec.startsWith('.')) targets.push(relative(ROOT, resolve(ROOT, dirname(file), spec)));
  }
  return targets;
}

const under = (path: string, folder: string) => path === folder || path.startsWith(folder + '/');

function breaches(folder: string, allowed: (target: string, file: string) => boolean): string[] {
  return sourceFiles(folder).flatMap((file) =>
    valueImports(file)
      .filter((t) => !allowed(t, file))
      .map((t) => `${file} → ${t}`)
  );
}

describe('the folder contract', () => {
  it('finds the imports it checks', () => {
    // Guards the checker itself: if the pattern stopped matching, every rule below would pass vacuously.
    expect(valueImports('cells/registry.ts')).toContain('cells/sql/kind');
    expect(valueImports('server/index.ts').length).toBeGreaterThan(3);
  });

  it('cells/ imports only cells/ (browser-only ui folders aside)', () => {
    const shared = (f: string) => !f.split('/').includes('ui') && !f.endsWith('ui-registry.ts');
    expect(breaches('cells', (t, f) => !shared(f) || under(t, 'cells'))).toEqual([]);
  });

  it('server/ never imports src/', () => {
    expect(breaches('server', (t) => !under(t, 'src'))).toEqual([]);
  });

  it('src/lib reaches server/ only from $lib/server', () => {
    expect(breaches('src/lib', (t, f) => !under(t, 'server') || under(f, 'src/lib/server'))).toEqual([]);
  });

  it('routes reach server/ only from server files', () => {
    const serverFile = (f: string) => /\+(page\.server|layout\.server|server)\.ts$/.test(f);
    expect(breaches('src/routes', (t, f) => !under(t, 'server') || serverFile(f))).toEqual([]);
  });
});
