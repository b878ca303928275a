import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { validateManifests } from '../../src/manifest/index.js';
import type { ProblemCode } from '../../src/manifest/problems.js';

/** A fixture with exactly one problem: the one it is about, at its file:line:column. */
export interface FixtureCase {
  code: ProblemCode;
  line: number;
  column: number;
  message: string;
  /** Files validated before the fixture (same run). */
  with?: string[];
  vars?: Record<string, string>;
}

/**
 * The tests of a folder of invalid manifests (`<dir>/<name>.yaml`, one per case): every fixture has a case and
 * every case a fixture, and each validates to exactly its problem — nothing else, no stack.
 */
export function fixtureTests(dir: string, cases: Record<string, FixtureCase>): void {
  test('every fixture has a case and every case a fixture', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''))
      .sort();
    assert.deepEqual(files, Object.keys(cases).sort());
  });
  for (const [name, c] of Object.entries(cases)) {
    test(`${name}: ${c.code} at ${c.line}:${c.column}`, async () => {
      const file = `${dir}/${name}.yaml`;
      const result = await validateManifests([...(c.with ?? []), file], { env: {}, vars: c.vars ?? {} });
      assert.equal(result.ok, false);
      assert.deepEqual(result.stacks, []);
      assert.deepEqual(
        result.problems.map((p) => ({ code: p.code, message: p.message, location: p.location })),
        [{ code: c.code, message: c.message, location: { file, line: c.line, column: c.column } }],
      );
    });
  }
}
