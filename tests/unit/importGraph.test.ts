// No import cycle anywhere under main/, `import type` included. Lint (import-x/no-cycle) catches the
// cycles of value imports where they are written; it cannot count type-only imports, so this walks
// the whole graph with TypeScript's own import scanner (comments and strings are not imports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, globSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

function importGraph(): Map<string, string[]> {
  const files = globSync('main/**/*.ts', { cwd: root }).map((f) => resolve(root, f));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    graph.set(file, importedFiles.map((i) => i.fileName).filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s)).filter((p) => known.has(p)));
  }
  return graph;
}

/** Strongly connected components of more than one file (Tarjan), plus files importing themselves. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next); low.set(v, next++); stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.includes(v)) out.push(scc.map((f) => relative(root, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

test('no import cycle under main/, type-only imports included', () => {
  const graph = importGraph();
  assert.ok(graph.size > 50, 'the walk sees the sources');
  assert.deepEqual(cycles(graph), []);
});

test('the cycle finder finds a cycle made only of type imports', () => {
  const g = new Map([['/a.ts', ['/b.ts']], ['/b.ts', ['/c.ts']], ['/c.ts', ['/a.ts']], ['/d.ts', ['/a.ts']]]);
  assert.equal(cycles(g).length, 1);
  assert.equal(cycles(g)[0]!.length, 3);
  const parsed = ts.preProcessFile("import type { X } from './x.ts';\n// import { Y } from './y.ts';\nconst s = \"from './z.ts'\";\nexport type { W } from './w.ts';", true, true);
  assert.deepEqual(parsed.importedFiles.map((i) => i.fileName), ['./x.ts', './w.ts']);
});
