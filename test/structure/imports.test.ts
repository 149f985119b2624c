// Dependencies between areas go one way (docs/ARCHITECTURE.md, "Layers"): every import of every
// module in src/ and cli/ (type-only and dynamic imports too) must go to its own area or to an
// area of a lower layer, as the table in docs/ARCHITECTURE.md says; above the store, the store is
// entered only through src/store/index.ts (its front door). Every folder of src/ must be in the
// table and open with an index.ts. The checker is also run on a small planted tree, so a broken
// checker that finds nothing cannot pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tempDir.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Areas entered from above only through their index.ts, and the areas exempt (those that build them). */
const FRONT_DOORS: Record<string, { exempt: string[] }> = { store: { exempt: ['repo'] } };

/** The layer of each area, from the "Layers" table of docs/ARCHITECTURE.md (`| 3 | store, catalog |`). */
export function parseLayers(markdown: string): Map<string, number> {
  const section = markdown.slice(markdown.indexOf('## Layers'));
  const layers = new Map<string, number>();
  for (const m of section.matchAll(/^\|\s*(\d+)\s*\|\s*([a-z, ]+?)\s*\|\s*$/gm)) {
    for (const area of m[2].split(',').map((a) => a.trim())) layers.set(area, Number(m[1]));
  }
  return layers;
}

/** The relative module names a TypeScript file imports (static, type-only, re-exports, dynamic). */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*'([^']+)'/gm)) out.push(m[1]);
  for (const m of source.matchAll(/^\s*import\s*'([^']+)'/gm)) out.push(m[1]);
  for (const m of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) out.push(m[1]);
  return out.filter((s) => s.startsWith('.'));
}

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await tsFiles(p));
    else if (/\.c?ts$/.test(e.name)) out.push(p);
  }
  return out;
}

/** The area of a file under `root`: src/AREA/..., or cli; undefined for anything else. */
function areaOf(root: string, file: string): string | undefined {
  const parts = relative(root, file).split(sep);
  if (parts[0] === 'src' && parts.length > 2) return parts[1];
  if (parts[0] === 'cli') return 'cli';
  return undefined;
}

/** Every import of src/ and cli/ under `root` that breaks the layers or a front door, as one line each. */
export async function importViolations(root: string, layers: Map<string, number>): Promise<string[]> {
  const problems: string[] = [];
  for (const dir of await readdir(join(root, 'src'), { withFileTypes: true })) {
    if (!dir.isDirectory()) problems.push(`src/${dir.name} is in no area (a folder of src/)`);
    else if (!layers.has(dir.name)) problems.push(`src/${dir.name} is not in the layer table of docs/ARCHITECTURE.md`);
  }
  for (const file of [...await tsFiles(join(root, 'src')), ...await tsFiles(join(root, 'cli'))]) {
    const from = areaOf(root, file);
    if (!from || !layers.has(from)) continue;
    for (const spec of importsOf(await readFile(file, 'utf8'))) {
      const target = resolve(dirname(file), spec);
      const to = areaOf(root, target);
      const where = `${relative(root, file)} imports '${spec}'`;
      if (!to) problems.push(`${where}: outside src/ and cli/`);
      else if (to === from) continue;
      else if (!layers.has(to)) problems.push(`${where}: ${to} is not in the layer table`);
      else if (layers.get(to)! >= layers.get(from)!) {
        problems.push(`${where}: ${from} (layer ${layers.get(from)}) may not import ${to} (layer ${layers.get(to)})${layers.get(to) === layers.get(from) ? ', a sideways import' : ''}`);
      } else if (FRONT_DOORS[to] && !FRONT_DOORS[to].exempt.includes(from) && relative(join(root, 'src', to), target) !== 'index.js') {
        problems.push(`${where}: ${to} is entered through src/${to}/index.ts only`);
      }
    }
  }
  return problems;
}

test('the layer table lists every area of src/, each once', async () => {
  const layers = parseLayers(await readFile(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8'));
  const areas = (await readdir(join(ROOT, 'src'), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  assert.deepEqual([...layers.keys()].filter((a) => a !== 'cli').sort(), areas);
  assert.equal(layers.get('core'), 0);
  assert.equal(Math.max(...layers.values()), layers.get('cli'));
});

test('every import goes down the layers, and into the store only through its front door', async () => {
  const layers = parseLayers(await readFile(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8'));
  assert.deepEqual(await importViolations(ROOT, layers), []);
});

test('every area opens with an index.ts that starts with a comment', async () => {
  for (const e of await readdir(join(ROOT, 'src'), { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const text = await readFile(join(ROOT, 'src', e.name, 'index.ts'), 'utf8').catch(() => '');
    assert.match(text, /^\/\/ src\//, `src/${e.name}/index.ts must open by saying what the area owns`);
  }
});

test('the checker finds planted upward, sideways, front-door and unlisted imports', async (t) => {
  const root = await tempDir(t);
  const files: Record<string, string> = {
    'src/core/a.ts': "import { x } from '../store/blockStore.js';\n",
    'src/store/blockStore.ts': "export const x = 1;\nimport type {\n  Y,\n} from '../catalog/c.js';\n",
    'src/store/index.ts': "export { x } from './blockStore.js';\n",
    'src/catalog/c.ts': "export type Y = number;\n",
    'src/repo/r.ts': "import { x } from '../store/blockStore.js';\n",
    'src/lifecycle/l.ts': "import { x } from '../store/index.js';\nconst m = () => import('../store/blockStore.js');\n",
    'src/extra/e.ts': "import { x } from '../store/index.js';\n",
    'cli/main.ts': "import '../src/lifecycle/l.js';\n",
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const layers = parseLayers('## Layers\n\n| Layer | Areas |\n|---|---|\n| 0 | core |\n| 1 | store, catalog |\n| 2 | repo |\n| 3 | lifecycle |\n| 4 | cli |\n');
  const found = await importViolations(root, layers);
  const expected = [
    'src/extra is not in the layer table of docs/ARCHITECTURE.md',
    "src/core/a.ts imports '../store/blockStore.js': core (layer 0) may not import store (layer 1)",
    "src/store/blockStore.ts imports '../catalog/c.js': store (layer 1) may not import catalog (layer 1), a sideways import",
    "src/lifecycle/l.ts imports '../store/blockStore.js': store is entered through src/store/index.ts only",
  ];
  assert.deepEqual(found.sort(), expected.sort());
});
