/**
 * No secret ever reaches stdout, stderr or --json output: every command of the CLI (validate, schema, plan,
 * apply — cold, rotations, GitHub Actions mode, refusals —, output, verify, consent-url, import, destroy)
 * runs as a child process against the local tenant, text and --json, and everything printed is
 * scanned for every secret value that existed at any point (client secrets from the cache and the config
 * files, private keys, the local tenant's admin secret).
 *
 * The one sanctioned exception is GitHub Actions masking: a line that is exactly `::add-mask::<value>`
 * (src/outputs/github.ts) — that is how the runner learns what to hide. Any other occurrence fails.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { EXAMPLE_MANIFEST, freePort, runCli, tempCwd, type CliRun } from '../helpers/cli-engine.js';

const MANIFEST = readFileSync(EXAMPLE_MANIFEST, 'utf8')
  .replace(
    '    secrets:\n      - name: main\n        lifetime: 180d\n',
    '    secrets:\n      - name: main\n        lifetime: 180d\n    certificates:\n      - name: cert\n        generate: { subject: CN=scan-daemon }\n        keyFile: out/daemon-cert.pem\n',
  )
  .replace(
    'outputs:\n',
    `outputs:
  - path: out/msal.json
    format: msal-node
    app: daemon
    credential: certificates.cert
  - path: out/appsettings.json
    format: appsettings
    app: daemon
    credential: secrets.main
`,
  );

describe('secret scan: every command, every stream', () => {
  let cwd: string;
  let env: Record<string, string>;
  const runs: Array<{ args: string[]; run: CliRun }> = [];
  const secrets = new Set<string>();

  /** Every secret that exists now: cache values, config values, private key lines, the local admin secret. */
  const collect = () => {
    const walk = (dir: string): string[] =>
      existsSync(dir) ? readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)])) : [];
    for (const f of walk(join(cwd, '.tenantform/secrets'))) {
      const cache = JSON.parse(readFileSync(f, 'utf8')) as { stacks: Record<string, Record<string, Record<string, { value: string }>>> };
      for (const apps of Object.values(cache.stacks)) for (const names of Object.values(apps)) for (const s of Object.values(names)) secrets.add(s.value);
    }
    for (const f of [...walk(join(cwd, '.tenantform/certificates')), ...walk(join(cwd, 'out'))].filter((x) => x.endsWith('.pem'))) {
      const key = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(readFileSync(f, 'utf8'))?.[1];
      for (const line of key?.split('\n') ?? []) if (line.trim().length >= 16) secrets.add(line.trim());
    }
    const state = join(cwd, '.tenantform/local-tenant.json');
    if (existsSync(state)) secrets.add((JSON.parse(readFileSync(state, 'utf8')) as { admin: { clientSecret: string } }).admin.clientSecret);
  };

  const cli = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const run = await runCli(args, { cwd, env: { ...env, ...extraEnv }, timeoutMs: 120_000 });
    runs.push({ args, run });
    collect();
    return run;
  };

  before(async () => {
    cwd = tempCwd('tenantform-scan-');
    mkdirSync(join(cwd, 'manifests'));
    writeFileSync(join(cwd, 'manifests/stack.yaml'), MANIFEST);
    env = { TENANTFORM_LOCAL_PORT: String(await freePort()) };
  });

  // Both tests need the transcript: whichever runs first (or alone, with --test-name-pattern) records it once.
  let recorded: Promise<void> | undefined;
  const record = () => (recorded ??= runEveryCommand());
  const runEveryCommand = async () => {
    const m = 'manifests/stack.yaml';
    const ok = (r: CliRun, what: string) => assert.equal(r.code, 0, `${what}: ${r.stdout}${r.stderr}`);
    // Offline commands (no tenant) run side by side; the rest one at a time, as they share the local tenant.
    const [validate, validateJson, schema] = await Promise.all([
      cli(['validate', m]),
      cli(['validate', m, '--json']),
      cli(['schema']),
      cli(['apply', 'manifests/missing.yaml', '--yes']),
    ]);
    ok(validate, 'validate');
    ok(validateJson, 'validate --json');
    ok(schema, 'schema');
    ok(await cli(['plan', m]), 'plan');
    ok(await cli(['apply', m, '--yes']), 'apply');
    ok(await cli(['plan', m, '--json']), 'plan --json');
    ok(await cli(['plan', m, '--rotate-secrets', '--rotate-certificates', '--json']), 'plan --rotate');
    ok(await cli(['apply', m, '--yes', '--json', '--rotate-secrets']), 'apply --json --rotate-secrets');
    const gh = join(cwd, 'github_output');
    writeFileSync(gh, '');
    const ghRun = await cli(['apply', m, '--yes', '--rotate-secrets', '--rotate-certificates', '--github-output'], {
      GITHUB_OUTPUT: gh,
      GITHUB_ACTIONS: 'true',
    });
    ok(ghRun, 'apply --github-output');
    assert.match(ghRun.stdout, /^::add-mask::\S+$/m, 'masks the secrets');
    ok(await cli(['apply', m, '--yes', '--json', '--github-output'], { GITHUB_OUTPUT: gh }), 'apply --json --github-output');
    ok(await cli(['output', m]), 'output');
    ok(await cli(['output', m, '--json', '--github-output'], { GITHUB_OUTPUT: gh }), 'output --json --github-output');
    await cli(['verify', m]);
    await cli(['verify', m, '--json']);
    await cli(['consent-url', m, '--app', 'daemon', '--tenant', '00000000-0000-0000-0000-000000000001']);
    await cli(['import', m, '--app', 'daemon=00000000-0000-0000-0000-000000000002', '--yes', '--json']);
    await cli(['apply', m, '--json']); // no TTY, no --yes: refused
    ok(await cli(['destroy', m, '--yes', '--json']), 'destroy --json');
    ok(await cli(['destroy', m, '--yes']), 'destroy again');
    assert.ok(secrets.size >= 4, `collected ${secrets.size} secrets: the scan would prove nothing`);
    assert.ok(readFileSync(gh, 'utf8').includes('CLIENT_SECRET<<ghadelimiter_'), 'the secret went to $GITHUB_OUTPUT, the place meant for it');
  };

  it('runs every command (text and --json)', async () => {
    await record();
  });

  it('no secret appears anywhere but on an exact ::add-mask:: line', async () => {
    await record();
    const leaks: string[] = [];
    for (const { args, run } of runs) {
      for (const [stream, text] of [
        ['stdout', run.stdout],
        ['stderr', run.stderr],
      ] as const) {
        for (const line of text.split('\n')) {
          for (const s of secrets) {
            if (!line.includes(s)) continue;
            if (line === `::add-mask::${s}`) continue;
            leaks.push(`tenantform ${args.join(' ')} (${stream}): a secret of ${s.length} characters in "${line.replace(s, '<SECRET>').slice(0, 120)}"`);
          }
        }
      }
    }
    assert.deepEqual(leaks, []);
  });
});
