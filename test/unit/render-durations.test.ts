import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isTenantformError } from '../../src/errors.js';
import { validateManifestText } from '../../src/manifest/index.js';
import { lifetimeMs } from '../../src/manifest/normalize.js';
import { parseDuration } from '../../src/manifest/stack-suffix.js';

/**
 * One set of duration units everywhere (issue 14): manifest lifetimes took h/d/w/y and `--older-than` s/m/h/d/w;
 * both now go through one parser (src/manifest/duration.ts) and take s, m, h, d, w and y alike.
 */
const MANIFEST = readFileSync('manifests/todolist-daemon.yaml', 'utf8');
// Quoted: `2` alone would be a YAML number, refused as such before the duration grammar sees it.
const withLifetime = (lifetime: string) => MANIFEST.replace('lifetime: 180d', `lifetime: ${JSON.stringify(lifetime)}`);

describe('durations: the same units for lifetimes and --older-than', () => {
  const table: Array<[string, number]> = [
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['12h', 43_200_000],
    ['180d', 180 * 86_400_000],
    ['8w', 56 * 86_400_000],
    ['2y', 2 * 365 * 86_400_000],
  ];
  for (const [text, ms] of table) {
    it(`${text}: --older-than and a secret lifetime agree (${ms} ms)`, () => {
      assert.equal(parseDuration(text), ms);
      assert.equal(lifetimeMs(text), ms);
      const r = validateManifestText('m.yaml', withLifetime(text), { env: {} });
      assert.deepEqual(
        r.problems.filter((p) => p.severity === 'error'),
        [],
        `lifetime ${text} is valid in a manifest`,
      );
    });
  }

  it('what neither takes: both refuse it, and both messages name the same units', () => {
    for (const bad of ['2', '2x', '1.5h', 'two hours', '-1h']) {
      assert.throws(
        () => parseDuration(bad),
        (e) => isTenantformError(e) && e.code === 'USAGE' && /s, m, h, d, w or y/.test(e.message),
      );
      const problems = validateManifestText('m.yaml', withLifetime(bad), { env: {} }).problems.filter((p) => p.severity === 'error');
      assert.ok(problems.length > 0, `lifetime ${bad} is refused`);
      assert.match(problems.map((p) => p.message).join('\n'), /s, m, h, d, w or y/);
    }
  });

  it('a lifetime must not be zero; --older-than 0s means "any age"', () => {
    assert.equal(parseDuration('0s'), 0);
    assert.ok(validateManifestText('m.yaml', withLifetime('0d'), { env: {} }).problems.some((p) => p.severity === 'error'));
  });
});
