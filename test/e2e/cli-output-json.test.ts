import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { ApplyResult } from '../../src/api/apply.js';
import { applyResult } from '../../src/cli/commands/apply.js';
import { emit, outputContext } from '../../src/cli/output.js';
import type { Plan } from '../../src/plan/types.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { EXAMPLE_MANIFEST, freePort, runCli, tempCwd, type CliRun } from '../helpers/cli-engine.js';

/**
 * One --json shape for every command, success or failure (issue 14): `{ ok, command, ...data, error? }`; when
 * ok is false there is an `error` with a stable code and a message, located problems at `error.problems` (and,
 * as validate has always printed them, top-level `problems`). Waves are numbered the same in text and JSON.
 */
interface Doc {
  ok: boolean;
  command: string;
  problems?: unknown[];
  error?: { code: string; message: string; problems?: unknown[] };
  plan?: { changes: Array<{ wave: number }> };
}

describe('--json: one shape for every command', () => {
  const cwd = tempCwd('tenantform-json-');
  let env: Record<string, string>;
  const invalid = join(REPO_ROOT, 'test/fixtures/invalid/duplicate-value.yaml');
  const runs: Record<string, CliRun> = {};
  const doc = (name: string) => JSON.parse(runs[name].stdout) as Doc;

  before(async () => {
    mkdirSync(join(cwd, 'manifests'));
    copyFileSync(EXAMPLE_MANIFEST, join(cwd, 'manifests/todolist-daemon.yaml'));
    env = { TENANTFORM_LOCAL_PORT: String(await freePort()) };
    const cli = (args: string[]) => runCli(args, { cwd, env });
    const m = 'manifests/todolist-daemon.yaml';
    // One after the other: each embedded local tenant holds the one port while its command runs.
    runs.validateBad = await cli(['validate', invalid, '--json']);
    runs.planBad = await cli(['plan', invalid, '--json']);
    runs.applyNoYes = await cli(['apply', m, '--json']);
    runs.plan = await cli(['plan', m, '--json']);
    runs.planText = await cli(['plan', m]);
    runs.validateOk = await cli(['validate', m, '--json']);
  });

  it('every document has ok and command; every failure an error with code and message', () => {
    for (const [name, r] of Object.entries(runs)) {
      if (name === 'planText') continue;
      const d = doc(name);
      assert.equal(typeof d.ok, 'boolean', name);
      assert.equal(typeof d.command, 'string', name);
      assert.equal(d.ok, r.code === 0 || r.code === 2, `${name}: ok is true exactly when the exit code is 0 or 2`);
      if (!d.ok) {
        assert.equal(typeof d.error?.code, 'string', `${name}: ${r.stdout}`);
        assert.equal(typeof d.error?.message, 'string', name);
      } else assert.equal(d.error, undefined, name);
    }
  });

  it('invalid manifests: the same error from validate and from plan — VALIDATION_FAILED, error.problems, problems', () => {
    const v = doc('validateBad');
    const p = doc('planBad');
    assert.equal(v.error?.code, 'VALIDATION_FAILED');
    assert.equal(p.error?.code, 'VALIDATION_FAILED');
    assert.deepEqual(v.error?.problems, v.problems, 'validate keeps top-level problems (backward compatible)');
    assert.deepEqual(p.problems, p.error?.problems);
    assert.deepEqual(p.error?.problems, v.problems);
  });

  it('a refusal is the error shape too (CONFIRMATION_REQUIRED without --yes)', () => {
    assert.equal(runs.applyNoYes.code, 1);
    assert.equal(doc('applyNoYes').error?.code, 'CONFIRMATION_REQUIRED');
  });

  it('waves: the text says "wave N" with the N of the JSON plan', () => {
    const json = [...new Set(doc('plan').plan!.changes.map((c) => c.wave))];
    const text = [...runs.planText.stdout.matchAll(/^ {2}wave (\d+)$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(text, json);
    assert.equal(text[0], 0);
  });
});

describe('--json of outcomes that are not thrown errors', () => {
  const plan: Plan = {
    formatVersion: 1,
    createdAt: '2026-01-01T00:00:00Z',
    tenant: { id: 't', kind: 'remote', identity: 'ci' },
    stacks: ['s'],
    changes: [{ id: 'sp:s/api', action: 'create-service-principal', app: 'app:s/api', after: {}, wave: 0, dependsOn: [], reason: 'r' }],
    warnings: [],
  };
  const render = (r: Partial<ApplyResult>, answer?: 'no') => {
    const chunks: string[] = [];
    const stdout = { write: (c: string) => chunks.push(c) };
    const result = applyResult({ plan, results: [], outputs: [], ok: false, graphRequests: 0, ...r }, answer, undefined);
    const code = emit(outputContext({ json: true, stdout, stderr: stdout, env: {} }), 'apply', result);
    return { code, doc: JSON.parse(chunks.join('')) as Doc & { error: { failed?: unknown[] } } };
  };

  it('failed changes: CHANGES_FAILED, with each failure', () => {
    const { code, doc } = render({
      results: [{ id: 'sp:s/api', action: 'create-service-principal', status: 'failed', error: { code: 'GRAPH_ERROR', message: 'nope' } }],
    });
    assert.equal(code, 1);
    assert.equal(doc.error.code, 'CHANGES_FAILED');
    assert.match(doc.error.message, /1 change of 1 failed: nope/);
    assert.deepEqual(doc.error.failed, [{ id: 'sp:s/api', action: 'create-service-principal', code: 'GRAPH_ERROR', message: 'nope' }]);
  });

  it('declined at the prompt: DECLINED, and the words the text says', () => {
    const { code, doc } = render({}, 'no');
    assert.equal(code, 3);
    assert.deepEqual(doc.error, { code: 'DECLINED', message: 'Apply cancelled; nothing was changed.' });
  });
});
