import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

/**
 * What `npm publish` would ship (npm pack --dry-run, on the build the test command made): the CLI
 * and what it loads, and nothing of the fake server, the tests or the scripts, which only a clone
 * needs (package.json `files`).
 */

interface PackedFile {
  path: string;
}

let shipped: Set<string>;
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};

beforeAll(() => {
  // --ignore-scripts: `prepare` would rebuild dist/ while other test files use it.
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const [packed] = JSON.parse(r.stdout) as [{ files: PackedFile[] }];
  shipped = new Set(packed.files.map((f) => f.path));
});

describe('the published package', () => {
  it('carries the CLI entry points, the worker it spawns and the schema', () => {
    for (const file of [...Object.values(pkg.bin), 'dist/cli.js', 'dist/auth/keychain-worker.js', 'schema.sql', 'README.md', 'package.json']) {
      expect(shipped.has(file.replace(/^\.\//, '')), file).toBe(true);
    }
  });

  it('carries no fake server, tests or scripts', () => {
    // From src/ only the OAuth forwarder page ships: users host it themselves (README, connect --redirect-uri).
    const unwanted = [...shipped].filter((file) => /(^|\/)fake-server(\/|$)/.test(file) || (/^(tests|scripts|src|\.ci)\//.test(file) && file !== 'src/auth/oauth-forwarder.html'));
    expect(unwanted).toEqual([]);
    expect(fs.existsSync(path.join(REPO, 'dist', 'fake-server', 'main.js'))).toBe(true); // built for the clone all the same
  });

  it('is whole: every module the shipped code imports is shipped, or a dependency', () => {
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    const imported = new Set<string>();
    for (const file of shipped) {
      if (!file.endsWith('.js')) continue;
      const text = fs.readFileSync(path.join(REPO, file), 'utf8');
      // tsc writes static imports and re-exports one a line; dynamic ones are import('…').
      const specifiers = [
        ...text.matchAll(/^(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm),
        ...text.matchAll(/^import\s*['"]([^'"]+)['"]/gm),
        ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
      ].map((m) => m[1]);
      for (const specifier of specifiers) {
        if (specifier!.startsWith('.')) {
          const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier!));
          imported.add(target);
          if (!shipped.has(target)) problems.push(`${file} imports ${specifier}, which is not shipped`);
        } else if (!specifier!.startsWith('node:') && !builtins.has(specifier!)) {
          const name = specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!;
          if (!(name in pkg.dependencies)) problems.push(`${file} imports ${specifier}, which is not a dependency`);
        }
      }
    }
    expect(problems).toEqual([]);
    // The scan does see imports: the launcher's, and the commands cli.js loads on demand.
    expect([...imported]).toEqual(expect.arrayContaining(['dist/cli.js', 'dist/commands/run.js', 'dist/core/errors.js']));
  });
});
