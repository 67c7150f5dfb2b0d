import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { cruise, type IConfiguration } from 'dependency-cruiser';

// The folder order of src/ (layers → training → io → models → callbacks → cli, on top of core,
// backends, autograd and ops) is declared once, in .dependency-cruiser.cjs; this test holds the
// compiled code to it. Type-only imports are erased by the compiler, so what is checked is what
// loads at run time.

const require = createRequire(import.meta.url);
const config = require('../../../.dependency-cruiser.cjs') as IConfiguration & { tiers: string[][] };

/** The rule violations of the modules under `paths`, one line each. */
async function violations(paths: string[], cwd = process.cwd()): Promise<string[]> {
  const here = process.cwd();
  process.chdir(cwd);
  try {
    const result = await cruise(paths, { validate: true, ruleSet: config, ...config.options });
    const output = result.output;
    assert.ok(typeof output !== 'string');
    return output.summary.violations.map(
      (v) => `${v.from} → ${v.to}: ${v.rule.name} (${config.forbidden?.find((r) => r.name === v.rule.name)?.comment})`,
    );
  } finally {
    process.chdir(here);
  }
}

describe('dependencies run one way', () => {
  it('no module imports a folder later in the order', async () => {
    const found = await violations(['dist/src']);
    assert.deepEqual(found, [], `\n${found.join('\n')}`);
  });

  it('every folder of src/ has a place in the order', async () => {
    const folders = (await readdir('src', { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    const placed = new Set(config.tiers.flat());
    assert.deepEqual(
      folders.filter((f) => !placed.has(f)),
      [],
      'add new folders to TIERS in .dependency-cruiser.cjs',
    );
  });

  it('is the order docs/architecture.md gives', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile('docs/architecture.md', 'utf8');
    // Table rows: | 3 | `autograd`, `ops` | why |; the public API row names `src/index.ts`.
    const rows = [...doc.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map((m) => ({
      tier: Number(m[1]),
      folders: [...m[2].matchAll(/`([^`]+)`/g)].map((f) => (f[1] === 'src/index.ts' ? 'index' : f[1])),
    }));
    assert.deepEqual(
      rows.map((r) => r.tier),
      config.tiers.map((_, i) => i + 1),
    );
    assert.deepEqual(
      rows.map((r) => r.folders),
      config.tiers,
      'docs/architecture.md and TIERS in .dependency-cruiser.cjs list the same tiers in the same order',
    );
  });

  it('Config and SerializedObject are imported from core/config.ts, where they are defined', async () => {
    const { readFile } = await import('node:fs/promises');
    const sources = async (dir: string): Promise<string[]> =>
      (
        await Promise.all(
          (
            await readdir(dir, { withFileTypes: true })
          ).map((d) =>
            d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
          ),
        )
      ).flat();
    const elsewhere: string[] = [];
    for (const file of await sources('src')) {
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(/^import (?:type )?\{([^}]*)\} from '([^']+)';/gm)) {
        const names = m[1].split(',').map((n) => n.replace(/\btype\b/, '').trim());
        const from = join(dirname(file), m[2]);
        if (names.some((n) => n === 'Config' || n === 'SerializedObject') && from !== join('src', 'core', 'config.js'))
          elsewhere.push(`${file}: ${m[0]}`);
      }
    }
    assert.deepEqual(elsewhere, []);
  });

  it('catches an import against the order and a folder outside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myelin-deps-'));
    try {
      const file = async (path: string, text: string) => {
        await mkdir(join(dir, path, '..'), { recursive: true });
        await writeFile(join(dir, path), text);
      };
      await file('src/training/fit.js', 'export const fit = 1;\n');
      await file('src/layers/dense.js', "import { fit } from '../training/fit.js';\nexport const d = fit;\n");
      await file('src/gadgets/g.js', "import { d } from '../layers/dense.js';\nexport const g = d;\n");
      const found = await violations(['src'], dir);
      assert.ok(
        found.some((v) =>
          /^src\/layers\/dense\.js → src\/training\/fit\.js: order-layers \(layers may not import training/.test(v),
        ),
        found.join('\n'),
      );
      assert.ok(
        found.some((v) => /^src\/gadgets\/g\.js → .*folder-in-order/.test(v)),
        found.join('\n'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
