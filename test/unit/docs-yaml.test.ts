/**
 * Every YAML block in README.md and docs/*.md is what people copy first (issue 14): each whole manifest (a block
 * with `stack:`) must validate, and every other block must parse as YAML — except excerpts, which say so with
 * an elision (…).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseDocument } from 'yaml';
import { validateManifestText } from '../../src/manifest/index.js';

const files = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];

const blocks = files.flatMap((file) => {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => ({ file, line: text.slice(0, m.index).split('\n').length + 1, yaml: m[1] }));
});

describe('YAML in the docs', () => {
  test('there are blocks to check', () => assert.ok(blocks.length >= 5, `${blocks.length} blocks`));
  for (const b of blocks) {
    test(`${b.file}:${b.line}`, () => {
      if (!/^stack:/m.test(b.yaml)) {
        if (!b.yaml.includes('…'))
          assert.deepEqual(
            parseDocument(b.yaml).errors.map((e) => e.message),
            [],
            'not valid YAML',
          );
        return;
      }
      const r = validateManifestText(`${b.file}:${b.line}`, b.yaml, { env: {} });
      assert.deepEqual(
        r.problems.filter((p) => p.severity === 'error').map((p) => `${p.location.line}:${p.location.column} ${p.message}`),
        [],
      );
    });
  }
});
