import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import yargs from 'yargs';
import { applyCommand } from '../../src/cli/commands/apply.js';
import { destroyCommand } from '../../src/cli/commands/destroy.js';
import { importCommand } from '../../src/cli/commands/import.js';
import { planCommand } from '../../src/cli/commands/plan.js';
import { parseDuration } from '../../src/manifest/stack-suffix.js';
import { REPO_ROOT } from '../helpers/cli.js';

/** One `tenantform …` command line found in a workflow script. */
interface Invocation {
  command: string;
  flags: Map<string, string | undefined>;
  positionals: string[];
  /** Where it was found, for messages. */
  where: string;
}

/** Every `tenantform <command> …` in every string of the document, with the path of the string. */
function invocations(doc: unknown, path = ''): Invocation[] {
  if (typeof doc === 'string') {
    return doc.split('\n').flatMap((line) => {
      const m = /\btenantform\s+(.*)$/.exec(line);
      if (!m) return [];
      const tokens = m[1]
        .replace(/\|\|.*$/, '')
        .replace(/>.*$/, '')
        .trim()
        .split(/\s+/);
      const [command, ...rest] = tokens;
      const flags = new Map<string, string | undefined>();
      const positionals: string[] = [];
      for (let i = 0; i < rest.length; i++) {
        const t = rest[i];
        if (t.startsWith('--')) {
          const [name, inline] = t.slice(2).split('=', 2);
          const value = inline ?? (rest[i + 1] && !rest[i + 1].startsWith('-') ? rest[++i] : undefined);
          flags.set(name, value);
        } else positionals.push(t);
      }
      return [{ command, flags, positionals, where: path }];
    });
  }
  if (Array.isArray(doc)) return doc.flatMap((x, i) => invocations(x, `${path}[${i}]`));
  if (doc && typeof doc === 'object') return Object.entries(doc).flatMap(([k, v]) => invocations(v, path ? `${path}.${k}` : k));
  return [];
}

/** The long flags each command accepts, from its own --help (the CLI's yargs definitions, in process). */
async function flagsOf(command: string): Promise<Set<string>> {
  const y = yargs().scriptName('tenantform').strict().exitProcess(false);
  for (const register of [planCommand, applyCommand, destroyCommand, importCommand]) register(y);
  const help = await new Promise<string>((resolve) => y.parse([command, '--help'], (_err: unknown, _argv: unknown, output: string) => resolve(output)));
  assert.match(help, new RegExp(`tenantform ${command}\\b`), `tenantform ${command} is a command`);
  return new Set([...help.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]));
}

const read = (file: string) => parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as Record<string, any>;
const stackOf = (manifest: string) => /^stack:\s*(\S+)/m.exec(readFileSync(join(REPO_ROOT, manifest), 'utf8'))![1];

/** Checks shared by both workflow files: commands, flags and arguments that exist, and the ephemeral-stack conventions. */
function checkInvocations(all: Invocation[], known: Map<string, Set<string>>) {
  assert.ok(all.length >= 5);
  for (const inv of all) {
    const flags = known.get(inv.command);
    assert.ok(flags, `${inv.where}: unknown command tenantform ${inv.command}`);
    for (const f of inv.flags.keys()) assert.ok(flags.has(f), `${inv.where}: tenantform ${inv.command} has no --${f}`);
    for (const p of inv.positionals) assert.ok(existsSync(join(REPO_ROOT, p)), `${inv.where}: ${p} does not exist`);
    assert.ok(inv.flags.has('tenant'), `${inv.where}: every CI command names the tenant`);
    if (inv.command === 'apply' || (inv.command === 'destroy' && !inv.flags.has('dry-run')))
      assert.ok(inv.flags.has('yes'), `${inv.where}: no terminal in CI: --yes`);
    if (inv.flags.has('older-than')) assert.doesNotThrow(() => parseDuration(inv.flags.get('older-than')!));
  }
  const has = (command: string, ...flags: string[]) => all.filter((i) => i.command === command && flags.every((f) => i.flags.has(f)));
  assert.ok(has('plan', 'detailed-exitcode').length >= 2, 'plan on pull requests and the drift check use --detailed-exitcode');
  assert.ok(
    has('destroy', 'purge').some((i) => i.positionals.length),
    'the ephemeral stack is destroyed and purged',
  );
  const sweep = has('destroy', 'stack-prefix', 'older-than', 'purge');
  assert.equal(sweep.length, 1, 'one sweep');
  return sweep[0];
}

describe('CI examples (docs/ci/*.yml) call commands and flags that exist', () => {
  const known = new Map<string, Set<string>>();
  before(async () => {
    for (const c of ['plan', 'apply', 'destroy', 'import']) known.set(c, await flagsOf(c));
  });

  it('GitHub Actions: OIDC sign-in, plan on PRs, ephemeral e2e stack torn down always, apply on main, nightly sweep', () => {
    const wf = read('docs/ci/github-actions.yml');
    assert.equal(wf.permissions['id-token'], 'write', 'OIDC needs id-token: write');
    const jobs = wf.jobs as Record<string, { if: string; env?: Record<string, string>; steps: Array<Record<string, any>> }>;
    for (const [name, job] of Object.entries(jobs)) {
      const login = job.steps.findIndex((s) => String(s.uses ?? '').startsWith('azure/login@'));
      const first = job.steps.findIndex((s) => /tenantform/.test(String(s.run ?? '')));
      assert.ok(login >= 0 && login < first, `${name}: azure/login before tenantform`);
      assert.deepEqual(
        Object.keys(job.steps[login].with).sort(),
        ['allow-no-subscriptions', 'client-id', 'tenant-id'],
        `${name}: workload identity, no secret`,
      );
    }
    const runs = (job: string) => invocations(jobs[job].steps, `jobs.${job}`);
    assert.match(jobs.plan.if, /pull_request/);
    assert.deepEqual(
      runs('plan').map((i) => i.command),
      ['plan', 'plan'],
    );
    assert.match(jobs.apply.if, /refs\/heads\/main/);
    assert.deepEqual(
      runs('apply').map((i) => i.command),
      ['apply'],
    );
    const e2e = jobs.e2e;
    assert.match(e2e.env!.TENANTFORM_STACK_SUFFIX, /^ci-\$\{\{ github\.run_id \}\}$/);
    const teardown = e2e.steps.find((s) => /tenantform destroy/.test(String(s.run ?? '')))!;
    assert.equal(teardown.if, 'always()', 'the ephemeral stack goes even when tests fail');
    const sweep = checkInvocations(invocations(wf), known);
    assert.equal(sweep.flags.get('stack-prefix'), `${stackOf('manifests/todolist-daemon.yaml')}-ci-`, 'the sweep selects exactly the ephemeral stacks');
  });

  it('Azure Pipelines: AzureCLI@2 with a service connection, the same commands and conventions', () => {
    const wf = read('docs/ci/azure-pipelines.yml');
    const stages = wf.stages as Array<{ stage: string; jobs: Array<Record<string, any>> }>;
    const tasks = JSON.stringify(stages);
    for (const inv of invocations(wf))
      assert.ok(!/\.script$/.test(inv.where), `${inv.where}: tenantform runs inside AzureCLI@2 (signed in), not a plain script`);
    assert.ok(tasks.includes('"azureSubscription":"$(serviceConnection)"'));
    const pr = stages.find((s) => s.stage === 'pull_request')!;
    const e2e = pr.jobs.find((j) => j.job === 'e2e')!;
    assert.match(e2e.variables.TENANTFORM_STACK_SUFFIX, /^ci-\$\(Build\.BuildId\)$/);
    const teardown = (e2e.steps as Array<Record<string, any>>).find((s) => /tenantform destroy/.test(String(s.inputs?.inlineScript ?? '')))!;
    assert.equal(teardown.condition, 'always()');
    const sweep = checkInvocations(invocations(wf), known);
    assert.equal(sweep.flags.get('stack-prefix'), `${stackOf('manifests/todolist-daemon.yaml')}-ci-`);
  });
});
