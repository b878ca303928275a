import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { Snapshot } from '../../src/model/snapshot.js';
import { createPlan } from '../../src/plan/index.js';

/**
 * Golden plans: snapshots saved by real runs against the emulator (`plan --save-snapshot`, recorded by
 * scripts/record-snapshots.ts) replay offline to exactly the plan the run produced. A planner change that
 * alters one shows here as a diff to review; re-record deliberately.
 */
const DIR = resolve('test/fixtures/snapshots');
const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.snapshot.json'))
  .map((f) => f.replace(/\.snapshot\.json$/, ''))
  .sort();

const read = <T>(file: string): T => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as T;

describe('golden plans from saved snapshots', () => {
  it('covers the daemon stack, a rotation, a destroy and a customer tenant', () => {
    assert.deepEqual(names, ['daemon-create', 'daemon-destroy', 'daemon-rotation', 'isv-customer']);
  });

  for (const name of names) {
    it(`${name}: createPlan(snapshot) is the recorded plan`, () => {
      const snapshot = read<Snapshot>(`${name}.snapshot.json`);
      assert.deepEqual(createPlan(snapshot), read(`${name}.plan.json`));
    });
  }

  it('the saved snapshots hold no secret: cache values and file contents carry the redaction token', () => {
    for (const name of names) {
      const s = read<Snapshot>(`${name}.snapshot.json`);
      if (s.operation !== 'apply') continue;
      for (const apps of Object.values(s.local.secrets)) {
        for (const names of Object.values(apps)) for (const k of Object.values(names)) assert.match(k.value, /^.{3}\.redacted\.[0-9a-f]{12}$/, name);
      }
      for (const [path, text] of Object.entries(s.local.outputs)) {
        for (const m of (text ?? '').matchAll(/^CLIENT_SECRET=(.*)$/gm)) assert.match(m[1], /\.redacted\./, `${name} ${path}`);
      }
    }
  });

  it('the rotation replays its ordering: add, then write the outputs, then remove the old secret', () => {
    const p = createPlan(read<Snapshot>('daemon-rotation.snapshot.json'));
    assert.deepEqual(
      p.changes.map((c) => [c.action, c.wave]),
      [
        ['add-secret', 0],
        ['write-output', 1],
        ['remove-secret', 2],
      ],
    );
  });

  it('the customer tenant plan holds only service principals and consent', () => {
    const p = createPlan(read<Snapshot>('isv-customer.snapshot.json'));
    assert.ok(p.changes.length > 0);
    assert.ok(
      p.changes.every((c) => /service-principal|assignment|grant/.test(c.action)),
      JSON.stringify(p.changes.map((c) => c.action)),
    );
  });
});
