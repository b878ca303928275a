/**
 * Hostile YAML (issue 15, "Bad input"): recursive aliases, alias bombs, very deep nesting, huge values and floods of
 * the same problem are refused or summed up with located problems, quickly, and never crash or hang validation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validate } from '../../src/api/validate.js';
import { validateManifestText } from '../../src/manifest/index.js';
import { MAX_DEPTH } from '../../src/manifest/limits.js';
import type { Problem } from '../../src/manifest/problems.js';

const APP = 'stack: s\napplications:\n  api:\n    displayName: A\n';

/** Validate, timed: every case here must finish well within a second. */
function timed(text: string, budgetMs = 1000): Problem[] {
  const started = performance.now();
  const r = validateManifestText('m.yaml', text, { env: {} });
  const ms = performance.now() - started;
  assert.ok(ms < budgetMs, `validation took ${ms.toFixed(0)} ms (budget ${budgetMs} ms)`);
  return r.problems;
}

const at = (p: Problem) => `${p.code} ${p.location.line}:${p.location.column}`;

describe('recursive aliases', () => {
  test('an alias inside its own anchor is refused at the alias (was: internal error, Maximum call stack size exceeded)', () => {
    const problems = timed('stack: s\nx: &a\n  y: *a\n');
    assert.deepEqual(problems.map(at), ['yaml-limit 3:6']);
    assert.equal(problems[0].message, 'Alias *a is used inside its own anchor (&a at 2:4): a recursive structure cannot be a manifest');
  });

  test('with a ${…} reference inside it is refused as quickly (was: validate never returned)', () => {
    assert.deepEqual(timed('stack: s\nx: &a\n  b: ${tenant.id}\n  c: *a\n').map(at), ['yaml-limit 4:6']);
  });

  test('a duplicate key elsewhere does not let it through (the tree of such a file is still checked)', () => {
    assert.deepEqual(timed('stack: s\nstack: t\nx: &a\n  b: ${tenant.id}\n  c: *a\n').map(at), ['duplicate-key 2:1', 'yaml-limit 5:6']);
  });

  test('deeper inside its anchor, and in a list', () => {
    assert.deepEqual(timed('stack: s\nx: &a\n  - y:\n      - [1, *a]\n').map(at), ['yaml-limit 4:13']);
  });
});

describe('alias problems are located at the alias', () => {
  test('an alias without its anchor (was: 1:1)', () => {
    const problems = timed(`${APP}    description: *nope\n`);
    assert.deepEqual(problems.map(at), ['yaml-syntax 5:18']);
    assert.match(problems[0].message, /alias \*nope has no anchor/);
  });

  test('an alias bomb ("billion laughs") is refused at the alias that crosses the bound (was: 1:1)', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((n, i) => `${n}: &${n} [${Array(10).fill(`*${'abcdef'[i]}`).join(', ')}]`)];
    const problems = timed(`stack: s\n${bomb.join('\n')}\n`);
    assert.deepEqual(
      problems.map((p) => p.code),
      ['yaml-limit'],
    );
    assert.equal(problems[0].location.line, 5, 'on the line of d:, where 10 × 10 × 10 copies pass 1,000');
    assert.ok(problems[0].location.column > 1);
    assert.match(problems[0].message, /alias bomb, "billion laughs"/);
  });

  test('aliases that expand the manifest by more than 100,000 values', () => {
    const big = `[${Array(1000).fill('1').join(', ')}]`;
    const uses = Array.from({ length: 100 }, () => '  - *big').join('\n');
    const problems = timed(`stack: s\nx: &big ${big}\ny:\n${uses}\n`);
    assert.deepEqual(
      problems.map((p) => p.code),
      ['yaml-limit'],
    );
    assert.match(problems[0].message, /^Aliases expand the manifest by more than 100,000 values here \(\*big, &big at 2:4\)/);
    assert.equal(problems[0].location.line, 4 + 99, 'the 100th use (100 × 1,001 values) crosses the bound');
  });

  test('more than 100 aliases (yaml scans the whole document for each one inside an anchor)', () => {
    const uses = Array.from({ length: 101 }, () => '  - *v').join('\n');
    const problems = timed(`stack: s\nx: &v 1\ny:\n${uses}\n`);
    assert.deepEqual(problems.map(at), ['yaml-limit 104:5']);
    assert.equal(problems[0].message, 'More than 100 aliases in one manifest');
  });

  test('a value that arrives through an alias is reported where it is used, naming the anchor (was: at the anchor)', () => {
    const text = 'stack: s\napplications:\n  api: &app\n    displayName: 7\n  web: *app\n';
    const problems = timed(text).map((p) => `${at(p)} ${p.message}`);
    assert.deepEqual(problems, [
      'wrong-type 4:18 applications.api.displayName must be a string, not a number',
      'wrong-type 5:8 applications.web.displayName must be a string, not a number (through alias *app, defined at 4:18)',
    ]);
  });

  test('a scalar alias, and a reference inside an aliased string', () => {
    const text = `${APP}    signInAudience: *aud\n    notes: &aud nope\n`;
    assert.deepEqual(
      timed(`${APP}    notes: &aud nope\n    signInAudience: *aud\n`)
        .filter((p) => p.code === 'invalid-value')
        .map(at),
      ['invalid-value 6:21'],
    );
    assert.equal(timed(text)[0].code, 'yaml-syntax', 'an alias before its anchor has no anchor');
    const ref = 'stack: s\nvariables: {env: {default: x}}\nx-name: &n "api-${var.nope}"\napplications:\n  api:\n    displayName: *n\n';
    const dangling = timed(ref).filter((p) => p.code === 'dangling-reference');
    assert.deepEqual(dangling.map(at), ['dangling-reference 3:17', 'dangling-reference 6:18'], 'in the anchor, and where the alias uses it');
    assert.match(dangling[1].message, /\(through alias \*n, defined at 3:17\)$/);
  });
});

describe('nesting depth', () => {
  const flow = (levels: number) => `stack: s\nx: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;

  for (const levels of [1000, 100_000]) {
    test(`${levels.toLocaleString('en-US')} levels: one located problem, in milliseconds (was: the JS stack overflow text, 11 s at 100,000)`, () => {
      const problems = timed(flow(levels), 200);
      assert.deepEqual(problems.map(at), ['yaml-limit 2:68']);
      assert.equal(problems[0].message, `Nesting deeper than ${MAX_DEPTH} levels (mappings and lists inside each other)`);
    });
  }

  test('block mappings and lists are limited the same way', () => {
    let block = 'stack: s\n';
    for (let i = 0; i < 200; i++) block += `${' '.repeat(i)}k:\n`;
    assert.deepEqual(
      timed(block).map((p) => p.code),
      ['yaml-limit'],
    );
    assert.deepEqual(
      timed(`stack: s\nx:\n${'- '.repeat(5000)}a\n`).map((p) => p.code),
      ['yaml-limit'],
    );
  });

  test(`${MAX_DEPTH - 2} levels are fine (only the schema complains)`, () => {
    assert.ok(!timed(flow(MAX_DEPTH - 2)).some((p) => p.code === 'yaml-limit'));
  });

  test('nesting built from aliases counts too', () => {
    const deep = `${'['.repeat(40)}1${']'.repeat(40)}`;
    const problems = timed(`stack: s\nx: &d ${deep}\ny: ${'['.repeat(30)}*d${']'.repeat(30)}\n`);
    assert.deepEqual(problems.map(at), ['yaml-limit 3:34']);
    assert.match(problems[0].message, /^Nesting deeper than 64 levels through alias \*d \(&d at 2:4\)/);
  });

  test("the problems do not depend on the caller's stack depth", () => {
    const text = flow(5000);
    const shallow = validateManifestText('m.yaml', text, { env: {} }).problems;
    const deepCall = (n: number): Problem[] => (n === 0 ? validateManifestText('m.yaml', text, { env: {} }).problems : deepCall(n - 1));
    assert.deepEqual(deepCall(5000), shallow);
  });
});

describe('huge values and floods of problems', () => {
  test('a 1 MB value is quoted by its first 80 characters (was: echoed whole)', () => {
    const problems = timed(`${APP}    signInAudience: ${'x'.repeat(1_000_000)}\n`, 2000);
    assert.equal(problems.length, 1);
    assert.ok(problems[0].message.length < 300, `${problems[0].message.length} characters`);
    assert.match(problems[0].message, / not "x{80}…"$/);
  });

  test('a long value in a rule message is shortened too', () => {
    const uri = `api://${'a'.repeat(5000)}*`;
    const problems = timed(`${APP}    identifierUris: ["${uri}"]\n`, 2000);
    assert.ok(problems.length > 0);
    for (const p of problems) assert.ok(p.message.length < 700, `${p.code}: ${p.message.length} characters`);
  });

  test('1 MB of ${var.x}: 50 problems and a count of the rest (was: 61,681 problems)', () => {
    const problems = timed(`stack: s\napplications:\n  api:\n    displayName: "${'${var.x} '.repeat(120_000)}"\n`, 3000);
    const dangling = problems.filter((p) => p.code === 'dangling-reference');
    assert.equal(dangling.length, 51);
    assert.equal(dangling[50].message, '… and 119,950 more of the same kind (dangling-reference) in this file');
    assert.deepEqual([dangling[50].location.line, dangling[50].location.column], [4, 19]);
  });

  test('more than 200,000 YAML tokens are refused by the place they are reached (yaml parses ~1 MB of small values a second)', () => {
    const items = Array.from({ length: 200_000 }, (_, i) => `  - v${i}`).join('\n');
    const problems = timed(`stack: s\nx:\n${items}\n`, 2000);
    assert.deepEqual(
      problems.map((p) => p.code),
      ['yaml-limit'],
    );
    assert.ok(problems[0].location.line > 25_000 && problems[0].location.line < 40_000, `at line ${problems[0].location.line}`);
  });

  test('a file over 4 MB is refused before it is parsed', () => {
    const problems = timed(`${APP}    description: "${'y'.repeat(5 * 1024 * 1024)}"\n`, 500);
    assert.deepEqual(
      problems.map((p) => p.code),
      ['yaml-limit'],
    );
    assert.match(problems[0].message, /^The file is 5(\.\d)? MB; a manifest may have at most 4 MB$/);
  });
});

describe('validate() from the package', () => {
  test('a recursive alias in a file: one located problem, no throw', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'tenantform-hostile-'));
    await writeFile(path.join(dir, 'm.yaml'), 'stack: s\nx: &a\n  b: ${tenant.id}\n  c: *a\n');
    const r = await validate({ manifests: ['m.yaml'], cwd: dir, env: {} });
    assert.equal(r.ok, false);
    assert.deepEqual(r.problems.map(at), ['yaml-limit 4:6']);
  });
});
