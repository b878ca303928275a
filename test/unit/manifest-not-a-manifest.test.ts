import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { validateManifestText, validateManifests } from '../../src/manifest/index.js';

/**
 * A file that is not a manifest at all — README.md or package.json passed by mistake — gets a few problems and
 * "this is not a tenantform manifest" once, not one error per line; a manifest with many mistakes still gets
 * every one of them.
 */
const codes = (file: string, text: string) => validateManifestText(file, text, { env: {} }).problems.map((p) => p.code);

describe('not a manifest', () => {
  test('README.md: three YAML errors, then "not a tenantform manifest", once', async () => {
    const r = await validateManifests(['README.md'], { env: {} });
    assert.deepEqual(
      r.problems.map((p) => p.code),
      ['not-a-manifest', 'yaml-syntax', 'yaml-syntax', 'yaml-syntax'],
    );
    const [first] = r.problems;
    assert.deepEqual(first.location, { file: 'README.md', line: 1, column: 1 });
    assert.match(first.message, /^README\.md \(a \.md file\) is not a tenantform manifest: \d{3} YAML syntax errors \(the first 3 are listed\)/);
    assert.match(first.hint!, /check the path you passed/);
    for (const p of r.problems) assert.ok(p.message.length < 300, `one readable line: ${p.message.slice(0, 80)}…`);
  });

  test('package.json (valid YAML, other keys): one problem naming its keys', () => {
    const r = validateManifestText('package.json', readFileSync('package.json', 'utf8'), { env: {} });
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0].code, 'not-a-manifest');
    assert.match(
      r.problems[0].message,
      /^package\.json \(a \.json file\) is not a tenantform manifest: its top-level keys \(name, version, .*\) include none of stack:/,
    );
  });

  test('text or a list: one problem that says so', () => {
    assert.deepEqual(codes('x.yaml', 'hello\n'), ['wrong-type']);
    assert.match(validateManifestText('x.yaml', '- a\n', { env: {} }).problems[0].message, /^This is not a tenantform manifest: it holds a list/);
  });

  test('a manifest with mistakes is still checked in full', () => {
    // Typos of manifest keys are a manifest with typos, not another kind of file.
    assert.deepEqual(codes('m.yaml', 'stak: s\naplications: {}\n').sort(), ['missing-field', 'unknown-key', 'unknown-key']);
    // Many YAML errors, but the file is a manifest: every one of them.
    const broken = 'stack: s\napplications:\n  a:\n    displayName: x\n    roles: [a, b\n  b: {x: 1\n  c: ]\n  d: }\n  e: ]\n';
    const all = codes('m.yaml', broken);
    assert.ok(all.length > 3, `several YAML errors: ${all.length}`);
    assert.ok(all.every((c) => c === 'yaml-syntax'));
    // An empty file is an empty manifest (missing stack:), not "not a manifest".
    assert.deepEqual(codes('m.yaml', ''), ['missing-field']);
  });
});
