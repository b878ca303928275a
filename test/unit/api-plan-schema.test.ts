import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ChangeSchema, PlanSchema, planJsonSchema, planSchemaText } from '../../src/plan/schema.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../../src/plan/types.js';

/** docs/plan.schema.json: the documented, versioned shape of `--json` plans (real plans are checked in the e2e tests). */
describe('the plan JSON Schema', () => {
  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    operation: 'destroy',
    createdAt: '2025-01-01T00:00:00.000Z',
    tenant: { id: 't', kind: 'remote', identity: 'ci (guid)', type: 'AAD' },
    stacks: ['s'],
    changes: [
      {
        id: 'sp-delete:s/api',
        action: 'delete-service-principal',
        app: 'app:s/api',
        servicePrincipalId: 'sp',
        displayName: 'api',
        wave: 0,
        dependsOn: [],
        reason: 'owned',
      },
      {
        id: 'app-delete:s/api',
        action: 'delete-application',
        app: 'app:s/api',
        uniqueName: 's--api',
        objectId: 'o',
        appId: 'a',
        displayName: 'api',
        wave: 1,
        dependsOn: ['sp-delete:s/api'],
        reason: 'owned',
      },
    ],
    warnings: [],
  };

  it('docs/plan.schema.json is the generated schema (regenerate: tenantform schema --plan > docs/plan.schema.json)', () => {
    assert.equal(readFileSync('docs/plan.schema.json', 'utf8'), planSchemaText());
  });

  it('has one variant per action, each requiring the common fields', () => {
    const schema = planJsonSchema() as { $defs: { Change: { oneOf: Array<{ required: string[]; properties: { action: { const: string } } }> } } };
    const variants = schema.$defs.Change.oneOf;
    const actions = variants.map((v) => v.properties.action.const);
    assert.equal(new Set(actions).size, actions.length);
    assert.ok(actions.includes('create-application') && actions.includes('purge-deleted-object') && actions.includes('adopt-application'));
    for (const v of variants)
      for (const f of ['action', 'id', 'wave', 'dependsOn', 'reason']) assert.ok(v.required.includes(f), `${v.properties.action.const} requires ${f}`);
  });

  it('accepts a valid plan, and it survives a JSON round trip unchanged', () => {
    const json = JSON.parse(JSON.stringify(plan)) as unknown;
    assert.deepEqual(PlanSchema.parse(json), json);
  });

  const broken: Array<[string, (p: Record<string, any>) => void]> = [
    ['another format version', (p) => (p.formatVersion = 2)],
    ['an unknown action', (p) => (p.changes[0].action = 'delete-everything')],
    ['a change without a reason', (p) => delete p.changes[0].reason],
    ['a negative wave', (p) => (p.changes[0].wave = -1)],
    ['an app that is not a ref', (p) => (p.changes[1].app = 's/api')],
    ['an unknown operation', (p) => (p.operation = 'sweep')],
    ['a tenant without identity', (p) => delete p.tenant.identity],
  ];
  for (const [name, edit] of broken) {
    it(`rejects ${name}`, () => {
      const p = structuredClone(plan) as unknown as Record<string, any>;
      edit(p);
      assert.equal(PlanSchema.safeParse(p).success, false);
    });
  }

  it('validates single changes too (for consumers streaming them)', () => {
    assert.ok(ChangeSchema.safeParse(plan.changes[0]).success);
  });
});
