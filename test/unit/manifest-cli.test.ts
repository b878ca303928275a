/**
 * `tenantform validate` and `tenantform schema` as a user runs them: a child process, exit codes, JSON,
 * and never a stack trace.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Chalk } from 'chalk';
import { manifestSchemaText as schemaText } from '../../src/manifest/schema.js';
import { validateResult } from '../../src/cli/commands/validate.js';
import { exitCodeFor, outputContext, runCommand } from '../../src/cli/output.js';
import { parseVarArgs, validateManifests, validateManifestText } from '../../src/manifest/index.js';
import { MAIN } from '../helpers/cli.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function tenantform(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const STACK_TRACE = /^\s+at .+[:(]/m;

describe('tenantform validate / schema', { concurrency: true }, () => {
  test('an invalid fixture with --json: exit 1, every problem as JSON, no stack trace', async () => {
    const run = await tenantform(['validate', 'test/fixtures/invalid/duplicate-value.yaml', '--json']);
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stdout + run.stderr, STACK_TRACE);
    const out = JSON.parse(run.stdout);
    assert.equal(out.ok, false);
    assert.equal(out.command, 'validate');
    assert.deepEqual(out.files, ['test/fixtures/invalid/duplicate-value.yaml']);
    assert.deepEqual(out.stacks, []);
    assert.deepEqual(out.problems, [
      {
        code: 'duplicate-value',
        severity: 'error',
        message: 'App role value "ToDoList.Read.All" is used twice in application "api" (also at 6:16)',
        location: { file: 'test/fixtures/invalid/duplicate-value.yaml', line: 10, column: 16 },
        path: 'applications.api.appRoles[1].value',
      },
    ]);
  });

  test('a missing file: exit 1, the error as JSON, no stack trace', async () => {
    const missing = await tenantform(['validate', 'nope.yaml', '--json']);
    assert.equal(missing.code, 1);
    assert.deepEqual(JSON.parse(missing.stdout).error, { code: 'MANIFEST_NOT_FOUND', message: 'Manifest not found: nope.yaml', paths: ['nope.yaml'] });
    assert.doesNotMatch(missing.stdout + missing.stderr, STACK_TRACE);
  });
});

// Each CLI process costs most of a second of CPU (start-up + every command's imports), so the rest runs in-process.
describe('validate results, in-process', () => {
  const plain = new Chalk({ level: 0 });

  test('the example is valid', async () => {
    const result = validateResult(await validateManifests(['manifests/todolist-daemon.yaml'], { env: {} }));
    assert.equal(exitCodeFor(result.outcome), 0);
    assert.equal(result.text(plain), '✓ manifests/todolist-daemon.yaml: stack todolist-daemon (2 applications, 1 output)');
    assert.deepEqual(
      (result.data.stacks as Array<{ applications: Array<{ uniqueName: string }> }>)[0].applications.map((a) => a.uniqueName),
      ['todolist-daemon--api', 'todolist-daemon--daemon'],
    );
  });

  test('text: one compiler-style line per problem, then a summary', async () => {
    const result = validateResult(
      await validateManifests(['test/fixtures/invalid/duplicate-value.yaml', 'test/fixtures/invalid/unknown-key.yaml'], { env: {} }),
    );
    assert.equal(exitCodeFor(result.outcome), 1);
    assert.equal(
      result.text(plain),
      [
        'test/fixtures/invalid/duplicate-value.yaml:10:16  error  duplicate-value  App role value "ToDoList.Read.All" is used twice in application "api" (also at 6:16)',
        'test/fixtures/invalid/unknown-key.yaml:10:9  error  unknown-key  Unknown key "isEnabled" in applications.api.appRoles[0]',
        '    hint: did you mean "enabled"?',
        '',
        '✗ 2 errors in 2 files',
      ].join('\n'),
    );
  });

  test('warnings are listed but do not fail validation', async () => {
    const result = validateResult(
      validateManifestText(
        'w.yaml',
        'stack: s\napplications:\n  api: {displayName: a}\n  b:\n    displayName: b\n    permissions: [{api: apo, roles: [R]}]\n',
        { env: {} },
      ),
    );
    assert.equal(exitCodeFor(result.outcome), 0);
    assert.match(result.text(plain), /^w\.yaml:6:25  warning  dangling-reference/);
  });

  test('a malformed --var is a usage error', async () => {
    const stderr = {
      chunks: [] as string[],
      write(c: string) {
        this.chunks.push(c);
      },
    };
    const ctx = outputContext({ stdout: { write: () => true }, stderr, env: {} });
    const code = await runCommand(ctx, 'validate', async () => validateResult(await validateManifests(['x.yaml'], { vars: parseVarArgs(['oops']) })));
    process.exitCode = 0;
    assert.equal(code, 1);
    assert.match(stderr.chunks.join(''), /^error \[USAGE\] --var expects name=value/);
  });

  test('schema prints the committed JSON Schema', () => {
    assert.equal(schemaText(), readFileSync('schema/tenantform.schema.json', 'utf8'));
  });
});
