/** A secret cache that is not what tenantform writes is refused with its path and the recovery, never half-read. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TenantformError } from '../../src/errors.js';
import { SecretStore } from '../../src/outputs/secret-cache.js';
import { tempDir } from '../helpers/temp.js';

describe('the secret cache file', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['truncated', '{"version": 1, "stacks": {"a"', /is not valid JSON/],
    ['empty', '', /is not valid JSON/],
    ['stacks as a list', '{"version": 1, "stacks": []}', /does not have the shape tenantform writes \(at stacks: /],
    ['a secret without a value', '{"version": 1, "stacks": {"s": {"app": {"main": {"keyId": "k"}}}}}', /at stacks\.s\.app\.main\.value/],
    ['another version', '{"version": 2, "stacks": {}}', /at version/],
  ];
  for (const [name, text, why] of cases) {
    test(`${name}: OUTPUT_FAILED naming the file and what deleting it costs`, () => {
      const file = join(tempDir('tenantform-cache-'), 'tenant.json');
      writeFileSync(file, text);
      assert.throws(
        () => new SecretStore(file),
        (e: unknown) => {
          assert.ok(e instanceof TenantformError);
          assert.equal(e.code, 'OUTPUT_FAILED');
          assert.ok(e.message.startsWith(`The secret cache ${file} `), e.message);
          assert.match(e.message, why);
          assert.match(e.message, /delete it: the next apply then adds a new secret for each app/);
          return true;
        },
      );
    });
  }

  test('the shape tenantform writes is read back', async () => {
    const file = join(tempDir('tenantform-cache-'), 'tenant.json');
    const a = new SecretStore(file);
    await a.set('s', 'app', 'main', { keyId: 'k1', value: 'v1' });
    assert.deepEqual(new SecretStore(file).get('s', 'app', 'main'), { keyId: 'k1', value: 'v1' });
  });
});
