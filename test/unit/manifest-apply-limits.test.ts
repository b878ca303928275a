/**
 * Values validation used to accept although apply cannot use them (issue 15): a lifetime Graph cannot store (a
 * RangeError or a 400 after the first writes) and an output path with a control character (a TypeError after the
 * tenant writes). Both are refused offline now, located.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { check } from '../helpers/manifests.js';

const manifest = (lifetime: string, path = 'out/x.env') => `stack: s
applications:
  api:
    displayName: api
    secrets:
      - name: main
        lifetime: ${lifetime}
    certificates:
      - name: c
        generate: { lifetime: ${lifetime}, subject: CN=x }
outputs:
  - path: "${path}"
    values: { A: x }
`;
const found = (yaml: string) => check(yaml).problems.map((p) => `${p.code} ${p.location.line}:${p.location.column} ${p.message}`);

describe('limits apply needs, checked offline', () => {
  for (const lifetime of ['999999999y', '9999y', '36501d']) {
    test(`lifetime ${lifetime}: refused for the secret and the generated certificate`, () => {
      assert.deepEqual(found(manifest(lifetime)), [
        `invalid-value 7:19 Lifetime ${lifetime} of secret "main" is longer than 100y`,
        `invalid-value 10:31 Lifetime ${lifetime} of certificate "c" is longer than 100y`,
      ]);
    });
  }
  test('100y is accepted', () => assert.deepEqual(found(manifest('100y')), []));
  test('an output path with NUL or a newline is refused at the path', () => {
    assert.deepEqual(found(manifest('2y', 'out/a\\u0000b.env')), ['invalid-value 12:11 Output path "out/a\\u0000b.env" contains a control character']);
    assert.deepEqual(found(manifest('2y', 'out/a\\nb.env')), ['invalid-value 12:11 Output path "out/a\\nb.env" contains a control character']);
  });
});
