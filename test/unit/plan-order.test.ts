import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isInternal } from '../../src/errors.js';
import { orderChanges, reverseWaves, waves } from '../../src/plan/order.js';
import type { Change } from '../../src/plan/types.js';
import { deepFreeze } from '../helpers/plan-builders.js';

/** A minimal change with an id and dependencies (the action does not matter to ordering). */
const ch = (id: string, ...dependsOn: string[]): Change => ({
  id,
  action: 'delete-delegated-grant',
  app: 'app:s/a',
  grantId: id,
  before: '',
  wave: 99,
  dependsOn,
  reason: 'test',
});
const layout = (cs: Change[]) => cs.map((c) => `${c.wave}:${c.id}`);

describe('orderChanges', () => {
  const cases: Array<{ name: string; changes: Change[]; expect: string[] }> = [
    { name: 'independent changes share wave 0, sorted by id', changes: [ch('b'), ch('a'), ch('c')], expect: ['0:a', '0:b', '0:c'] },
    { name: 'a chain', changes: [ch('c', 'b'), ch('b', 'a'), ch('a')], expect: ['0:a', '1:b', '2:c'] },
    { name: 'a diamond: the longest path decides', changes: [ch('d', 'b', 'c'), ch('c', 'a'), ch('b', 'a'), ch('a')], expect: ['0:a', '1:b', '1:c', '2:d'] },
    { name: 'uneven branches', changes: [ch('z', 'a', 'y'), ch('y', 'x'), ch('x'), ch('a')], expect: ['0:a', '0:x', '1:y', '2:z'] },
    { name: 'dependencies on changes not in the plan are already satisfied', changes: [ch('a', 'gone'), ch('b', 'a', 'also-gone')], expect: ['0:a', '1:b'] },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(layout(orderChanges(c.changes)), c.expect));
  }

  test('dropped dependencies are removed from dependsOn', () => {
    const [a, b] = orderChanges([ch('a', 'gone'), ch('b', 'a', 'gone')]);
    assert.deepEqual(a.dependsOn, []);
    assert.deepEqual(b.dependsOn, ['a']);
  });

  test('inputs are not mutated (frozen), new objects come back', () => {
    const input = deepFreeze([ch('b', 'a'), ch('a')]);
    const out = orderChanges(input);
    assert.equal(input[0].wave, 99);
    assert.notEqual(out[1], input[0]);
  });

  const bugs: Array<[string, Change[], RegExp]> = [
    ['a cycle', [ch('a', 'c'), ch('b', 'a'), ch('c', 'b')], /internal: dependency cycle through/],
    ['a self-dependency', [ch('a', 'a')], /internal: dependency cycle through a/],
    ['duplicate ids', [ch('a'), ch('a')], /internal: duplicate change ids/],
  ];
  for (const [name, changes, message] of bugs) {
    test(`${name} is an internal error (a planner bug, not a user error)`, () => {
      assert.throws(
        () => orderChanges(changes),
        (e: unknown) => {
          assert.ok(isInternal(e));
          assert.match((e as Error).message, message);
          return true;
        },
      );
    });
  }
});

describe('waves', () => {
  test('groups by wave in order; reverseWaves for teardown', () => {
    const ordered = orderChanges([ch('c', 'b'), ch('b', 'a'), ch('a'), ch('x')]);
    assert.deepEqual(
      waves(ordered).map((w) => w.map((c) => c.id)),
      [['a', 'x'], ['b'], ['c']],
    );
    assert.deepEqual(
      reverseWaves(ordered).map((w) => w.map((c) => c.id)),
      [['c'], ['b'], ['a', 'x']],
    );
    assert.deepEqual(waves([]), []);
  });
});
