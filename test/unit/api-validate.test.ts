/** validate() is part of the programmatic API, like plan/apply: the problems, located, and the stacks when ok. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTenantformError, validate } from '../../src/index.js';

describe('validate() from the package', () => {
  test('a valid manifest: ok, its stack, no problems', async () => {
    const r = await validate({ manifests: ['manifests/todolist-daemon.yaml'], env: {} });
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.stacks.map((s) => s.name),
      ['todolist-daemon'],
    );
    assert.deepEqual(r.problems, []);
  });

  test('an invalid one: not ok, no stacks, each problem at file:line:column', async () => {
    const r = await validate({ manifests: ['test/fixtures/invalid/policies/unknown-app.yaml'], env: {} });
    assert.equal(r.ok, false);
    assert.deepEqual(r.stacks, []);
    assert.deepEqual(
      r.problems.map((p) => [p.code, p.location.line, p.location.column]),
      [['dangling-reference', 9, 31]],
    );
  });

  test('a missing file throws MANIFEST_NOT_FOUND', async () => {
    await assert.rejects(validate({ manifests: ['nope.yaml'] }), (e) => isTenantformError(e) && e.code === 'MANIFEST_NOT_FOUND');
  });
});
