import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate } from 'selfsigned';
import { graphWrites } from '../../src/emulator/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { type CliRun, credentialEnv, EXAMPLE_MANIFEST, freePort, remoteArgs, runCli, STACK_LINE, tempCwd } from '../helpers/cli-engine.js';
import { useEmulator } from '../helpers/emulator.js';

/**
 * Errors that used to mislead (issue 14): each reaches the user of the built CLI as its own code, naming the
 * host or the flag, the cause and the next step — never "internal error", never a stack trace, never "Sign in
 * (az login…)" for a network or certificate problem — and nothing is written before the flags are checked.
 */
describe('CLI errors name the host, the cause and the next step', () => {
  const emu = useEmulator();
  const cwd = tempCwd('tenantform-errors-');
  const servers: Server[] = [];
  let tenant: string[];
  let env: Record<string, string>;
  const cli = (args: string[], extra: { cwd?: string; env?: Record<string, string> } = {}) =>
    runCli(args, { cwd: extra.cwd ?? cwd, env: { ...env, ...extra.env } });
  /** The target flags with some replaced: the emulator signs in, the URL under test is the one that fails. */
  const target = (o: { graphUrl?: string; authorityHost?: string; caFile?: string | null }) => [
    ...tenant,
    '--graph-url',
    o.graphUrl ?? emu.graphUrl,
    '--authority-host',
    o.authorityHost ?? emu.authorityHost,
    ...(o.caFile === null ? [] : ['--ca-file', o.caFile ?? emu.caFile]),
  ];
  /** An HTTPS server on 127.0.0.1 with the given certificate (stands in for a Graph endpoint that fails TLS). */
  const serve = (key: string, cert: string) =>
    new Promise<string>((resolve) => {
      const s = createServer({ key, cert }, (_req, res) => res.end('{}'));
      servers.push(s);
      s.listen(0, '127.0.0.1', () => resolve(`https://127.0.0.1:${(s.address() as { port: number }).port}`));
    });
  let mismatch: string;
  let unknownCa: string;
  let bothCas: string;

  before(async () => {
    tenant = ['--tenant', emu.tenantId];
    env = credentialEnv(emu);
    const ec = { keyType: 'ec', algorithm: 'sha256' } as const;
    // A certificate for another host name, trusted: the handshake fails on the name only.
    const other = await generate([{ name: 'commonName', value: 'graph.example.test' }], {
      ...ec,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'graph.example.test' }] }],
    });
    // A certificate for 127.0.0.1 signed by a CA nobody passes: unknown CA.
    const ca = await generate([{ name: 'commonName', value: 'tenantform test CA' }], {
      ...ec,
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', keyCertSign: true, digitalSignature: true },
      ],
    });
    const leaf = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      ...ec,
      ca: { key: ca.private, cert: ca.cert },
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    mismatch = await serve(other.private, other.cert);
    unknownCa = await serve(leaf.private, leaf.cert);
    // One --ca-file can hold several certificates: the emulator's (for sign-in) and the mismatching one.
    bothCas = join(cwd, 'both-cas.pem');
    writeFileSync(bothCas, `${readFileSync(emu.caFile, 'utf8').trim()}\n${other.cert.trim()}\n`);
  });
  after(() => {
    for (const s of servers) s.close();
  });

  const userError = (r: CliRun, code: string, message: RegExp) => {
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`error \\[${code}\\] `));
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr + r.stdout, /internal error|fetch failed|Sign in \(az login/);
    assert.doesNotMatch(r.stderr + r.stdout, STACK_LINE);
  };

  describe('network and TLS: NETWORK_ERROR / TLS_ERROR with the host and the certificate problem', () => {
    let runs: Record<'graphRefused' | 'authorityRefused' | 'authorityDns' | 'selfSigned' | 'mismatch' | 'unknownCa' | 'json' | 'noSuchTenant', CliRun>;
    before(async () => {
      const free = `https://127.0.0.1:${await freePort()}`;
      const plan = (o: Parameters<typeof target>[0], ...more: string[]) => cli(['plan', EXAMPLE_MANIFEST, ...target(o), ...more]);
      const [graphRefused, authorityRefused, authorityDns, selfSigned, mism, unknown, json, noSuchTenant] = await Promise.all([
        plan({ graphUrl: free }),
        plan({ authorityHost: free }),
        plan({ authorityHost: 'https://login.tenantform.invalid' }),
        plan({ caFile: null }),
        plan({ graphUrl: mismatch, caFile: bothCas }),
        plan({ graphUrl: unknownCa }),
        plan({ graphUrl: free }, '--json'),
        // Device code sign-in asks the authority for the tenant before anything else (no AZURE_TENANT_ID to fall back on).
        cli(['plan', EXAMPLE_MANIFEST, ...target({}).slice(2), '--tenant', '0c0c0c0c-1111-4222-8333-444444444444', '--auth', 'device-code']),
      ]);
      runs = { graphRefused, authorityRefused, authorityDns, selfSigned, mismatch: mism, unknownCa: unknown, json, noSuchTenant };
    });

    it('Graph not listening: NETWORK_ERROR, host:port, connection refused, check --graph-url', () => {
      userError(
        runs.graphRefused,
        'NETWORK_ERROR',
        /Cannot reach Microsoft Graph at 127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)\. Nothing listens on that port\. Check --graph-url/,
      );
    });

    it('the authority not listening: NETWORK_ERROR for the authority, not a sign-in failure', () => {
      userError(
        runs.authorityRefused,
        'NETWORK_ERROR',
        /Cannot reach the Entra authority at 127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\).*--authority-host/,
      );
    });

    it('an authority host that does not resolve: DNS', () => {
      userError(
        runs.authorityDns,
        'NETWORK_ERROR',
        /Cannot reach the Entra authority at login\.tenantform\.invalid: the host name does not resolve \((ENOTFOUND|EAI_AGAIN)\)\. Check --authority-host/,
      );
    });

    it('the emulator without --ca-file: TLS_ERROR, self-signed, pass --ca-file', () => {
      userError(
        runs.selfSigned,
        'TLS_ERROR',
        /TLS with the Entra authority at 127\.0\.0\.1:\d+ failed: the server's certificate is self-signed.*DEPTH_ZERO_SELF_SIGNED_CERT.*--ca-file/,
      );
    });

    it('a certificate for another host name: TLS_ERROR, hostname mismatch', () => {
      userError(
        runs.mismatch,
        'TLS_ERROR',
        /TLS with Microsoft Graph at 127\.0\.0\.1:\d+ failed: the certificate is not valid for 127\.0\.0\.1.*\(ERR_TLS_CERT_ALTNAME_INVALID\)\. Use the host name the certificate was issued for in --graph-url/,
      );
    });

    it('a certificate from a CA that --ca-file is not: TLS_ERROR, unknown CA, that --ca-file did not issue it', () => {
      userError(
        runs.unknownCa,
        'TLS_ERROR',
        /signed by an unknown CA \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. The certificate passed with --ca-file did not issue it/,
      );
    });

    it('a tenant the authority does not know: AUTH_FAILED with AADSTS90002 and "check --tenant", not "sign in"', () => {
      userError(
        runs.noSuchTenant,
        'AUTH_FAILED',
        /Tenant "0c0c0c0c-1111-4222-8333-444444444444" does not exist at https:\/\/127\.0\.0\.1:\d+ \(AADSTS90002\)\. Check --tenant/,
      );
    });

    it('--json: the same error as data (code, host, cause), alone on stdout', () => {
      const r = runs.json;
      assert.equal(r.code, 1);
      const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; host: string; cause: string; errno: string; service: string } };
      assert.equal(doc.ok, false);
      assert.equal(doc.error.code, 'NETWORK_ERROR');
      assert.match(doc.error.host, /^127\.0\.0\.1:\d+$/);
      assert.equal(doc.error.service, 'Microsoft Graph');
      assert.equal(doc.error.cause, 'refused');
      assert.equal(doc.error.errno, 'ECONNREFUSED');
    });
  });

  describe('flags: USAGE before anything is read, started or written', () => {
    const fresh = tempCwd('tenantform-usage-');
    let runs: Record<string, CliRun>;
    let requests: number;
    before(async () => {
      const local = { cwd: fresh, env: { TENANTFORM_LOCAL_PORT: String(await freePort()) } };
      const plan = (...a: string[]) => cli(['plan', EXAMPLE_MANIFEST, ...a]);
      const mark = emu.requestLog.mark();
      const entries = await Promise.all(
        [
          ['http', plan(...target({ graphUrl: emu.graphUrl.replace('https:', 'http:') }))],
          ['httpAuthority', plan(...target({ authorityHost: emu.authorityHost.replace('https:', 'http:') }))],
          ['caMissing', plan(...target({ caFile: join(fresh, 'nope.pem') }))],
          ['caNotPem', plan(...target({ caFile: EXAMPLE_MANIFEST }))],
          ['localGraphUrl', cli(['plan', EXAMPLE_MANIFEST, '--graph-url', emu.graphUrl], local)],
          [
            'localBoth',
            cli(['apply', EXAMPLE_MANIFEST, '--yes', '--graph-url', emu.graphUrl, '--authority-host', emu.authorityHost, '--ca-file', emu.caFile], local),
          ],
          ['locl', cli(['apply', EXAMPLE_MANIFEST, '--yes', '--tenant', 'locl'], local)],
          ['notTenant', cli(['plan', EXAMPLE_MANIFEST, '--tenant', 'contoso'], local)],
          ['timeoutText', plan(...target({}), '--timeout', 'abc')],
          ['timeoutNegative', plan(...target({}), '--timeout', '-5')],
          ['timeoutTwice', plan(...target({}), '--timeout', '1', '--timeout', '2')],
          ['consentTimeout', cli(['consent-url', EXAMPLE_MANIFEST, '--app', 'daemon', '--tenant', 'contoso.onmicrosoft.com', '--timeout', 'soon'], local)],
          ['consentCustomer', cli(['consent-url', EXAMPLE_MANIFEST, '--app', 'daemon', '--tenant', 'local'], local)],
          ['unknownFlag', cli(['plan', EXAMPLE_MANIFEST, '--bogus'], local)],
          ['unknownFlagJson', cli(['plan', EXAMPLE_MANIFEST, '--bogus', '--json'], local)],
          ['noManifest', cli(['apply', '--yes'], local)],
        ].map(async ([k, p]) => [k, await p] as const),
      );
      runs = Object.fromEntries(entries);
      requests = emu.requestLog.since(mark).length;
    });

    it('http:// for --graph-url or --authority-host: refused, HTTPS only', () => {
      userError(runs.http, 'USAGE', /--graph-url http:\/\/127\.0\.0\.1:\d+ uses http: .*HTTPS only.*Use https:\/\/127\.0\.0\.1:\d+\./);
      userError(runs.httpAuthority, 'USAGE', /--authority-host http:\/\/127\.0\.0\.1:\d+ uses http:/);
    });

    it('--ca-file that does not exist, or is no PEM certificate', () => {
      userError(runs.caMissing, 'USAGE', /--ca-file .*nope\.pem: no such file\. Pass the PEM certificate to trust/);
      userError(runs.caNotPem, 'USAGE', /--ca-file .*todolist-daemon\.yaml holds no PEM certificate/);
    });

    it('--graph-url / --authority-host / --ca-file with the default --tenant local: refused, never ignored', () => {
      userError(
        runs.localGraphUrl,
        'USAGE',
        /--graph-url points at a tenant served elsewhere, but --tenant is local \(the default\).*add --tenant <its tenantId>/,
      );
      userError(runs.localBoth, 'USAGE', /--graph-url, --authority-host and --ca-file point at a tenant served elsewhere/);
    });

    it('--tenant locl: not a tenant, did you mean "local"?', () => {
      userError(runs.locl, 'USAGE', /--tenant "locl" is not a tenant: .* Did you mean "local"/);
      userError(runs.notTenant, 'USAGE', /--tenant "contoso" is not a tenant: use 'local' \(the embedded emulator\), a tenant id \(GUID\) or a tenant domain/);
      assert.doesNotMatch(runs.notTenant.stderr, /Did you mean/);
      userError(runs.consentCustomer, 'USAGE', /--tenant "local" is not a tenant: use a tenant id \(GUID\) or a tenant domain/);
    });

    it('numeric flags: the flag, what was typed and the accepted range', () => {
      userError(runs.timeoutText, 'USAGE', /--timeout must be a number of seconds from 0 to 86400; got "abc"\./);
      userError(runs.timeoutNegative, 'USAGE', /--timeout must be a number of seconds from 0 to 86400; got "-5"\./);
      userError(runs.timeoutTwice, 'USAGE', /--timeout is given 2 times; give it once/);
      userError(runs.consentTimeout, 'USAGE', /--timeout must be a number of seconds from 0 to 86400; got "soon"\./);
    });

    it("flags yargs itself refuses: one USAGE line naming the command's --help, not the whole help text; JSON with --json", () => {
      userError(runs.unknownFlag, 'USAGE', /^error \[USAGE\] Unknown argument: bogus\. See tenantform plan --help\.$/m);
      assert.doesNotMatch(runs.unknownFlag.stderr, /Options:|--save-snapshot/, 'no help text');
      userError(runs.noManifest, 'USAGE', /Not enough non-option arguments: got 0, need at least 1\. See tenantform apply --help\./);
      assert.equal(runs.unknownFlagJson.code, 1);
      const body = JSON.parse(runs.unknownFlagJson.stdout) as { ok: boolean; command: string; error: { code: string; message: string } };
      assert.deepEqual([body.ok, body.command, body.error.code], [false, 'plan', 'USAGE']);
    });

    it('nothing happened: no request reached the tenant, the local tenant never started', () => {
      assert.equal(requests, 0);
      assert.equal(existsSync(join(fresh, '.tenantform')), false);
    });
  });

  it('names the tenant does not resolve: all at once, at their line and column, with did-you-mean; nothing written', async () => {
    const file = join(cwd, 'typos.yaml');
    const text = [
      'stack: typos',
      'applications:',
      '  client:',
      '    displayName: typos-client',
      '    permissions:',
      '      - api: Microsoft Graph',
      '        roles: [User.Read.All, User.Reed.All]',
      '        scopes: [User.Raed]',
      '      - api: Microsoft Grpah',
      '        roles: [Application.Read.All]',
      '',
    ].join('\n');
    writeFileSync(file, text);
    const mark = emu.requestLog.mark();
    const r = await cli(['plan', file, ...target({})]);
    userError(r, 'RESOLVE_FAILED', /3 names in the manifests do not resolve in the tenant \(above, with file:line:column\); nothing was changed\./);
    const at = (needle: string, line: number) => `${file}:${line}:${text.split('\n')[line - 1].indexOf(needle) + 1}`;
    const lines = r.stderr.split('\n');
    const problem = (where: string) => lines.findIndex((l) => l.startsWith(`${where}  error  `));
    const role = problem(at('User.Reed.All', 7));
    const scope = problem(at('User.Raed', 8));
    const api = problem(at('Microsoft Grpah', 9));
    assert.ok(role >= 0 && scope >= 0 && api >= 0, r.stderr);
    assert.match(lines[role], /unresolved-permission {2}"User\.Reed\.All" is not an application permission \(app role\) of Microsoft Graph/);
    assert.match(lines[role + 1], /hint: did you mean "User\.Read\.All"/);
    assert.match(lines[scope], /"User\.Raed" is not a delegated permission \(scope\) of Microsoft Graph/);
    assert.match(lines[scope + 1], /hint: did you mean "User\.Read"/);
    assert.match(lines[api], /unresolved-api {2}Application "client" asks for permissions on "Microsoft Grpah", but the tenant has no API/);
    assert.match(lines[api + 1], /hint: did you mean "Microsoft Graph"\?/);
    assert.deepEqual(graphWrites(emu.requestLog.since(mark)), []);
  });

  it('a file that is not a manifest (README.md): said once, after a few problems, not hundreds', async () => {
    const r = await cli(['validate', join(REPO_ROOT, 'README.md')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr + r.stdout, /README\.md:1:1 {2}error {2}not-a-manifest {2}.*README\.md \(a \.md file\) is not a tenantform manifest/);
    const problems = (r.stderr + r.stdout).split('\n').filter((l) => / {2}error {2}/.test(l));
    assert.ok(problems.length <= 4, `at most a few problems, got ${problems.length}:\n${r.stderr}`);
    assert.ok((r.stderr + r.stdout).length < 2000, 'no wall of text');
  });

  it('verify with out/ deleted: fails, names the missing file and what writes it; passes again once output re-renders it', async () => {
    const dir = tempCwd('tenantform-verify-missing-');
    const run = (...a: string[]) => cli([...a, EXAMPLE_MANIFEST, ...target({})], { cwd: dir });
    const applied = await run('apply', '--yes');
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    rmSync(join(dir, 'out'), { recursive: true });
    const [text, json] = await Promise.all([run('verify'), run('verify', '--json')]);
    assert.equal(text.code, 1, text.stdout + text.stderr);
    assert.match(text.stdout, /todolist-daemon\/daemon\s+todolist-daemon\/api\s+config\s+FAIL\s+out\/todolist-daemon\.env does not exist/);
    assert.match(text.stdout, /problem: out\/todolist-daemon\.env does not exist: that is the config todolist-daemon\/daemon reads/);
    assert.match(text.stdout, /next: +Run `tenantform apply .*todolist-daemon\.yaml` \(it writes out\/todolist-daemon\.env\)/);
    assert.doesNotMatch(text.stdout, /secret cache \(main\)|token +ok/, 'no fallback to the cache: nothing else is proven');
    const doc = JSON.parse(json.stdout) as {
      verify: { ok: boolean; checks: Array<{ check: string; ok: boolean; diagnosis?: { code: string; meta?: { files?: string[] } } }> };
    };
    assert.equal(doc.verify.ok, false);
    const failed = doc.verify.checks.find((c) => !c.ok);
    assert.equal(failed?.diagnosis?.code, 'config-missing');
    assert.deepEqual(failed?.diagnosis?.meta?.files, ['out/todolist-daemon.env']);

    const rendered = await run('output');
    assert.equal(rendered.code, 0, rendered.stdout + rendered.stderr);
    const again = await run('verify');
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /credential\s+ok\s+secret from out\/todolist-daemon\.env:CLIENT_SECRET/);

    // A config whose authority nobody serves any more: the token row says so, with the host and the cause.
    const file = join(dir, 'out/todolist-daemon.env');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^AUTHORITY=.*$/m, `AUTHORITY=https://127.0.0.1:${await freePort()}/${emu.tenantId}`));
    const moved = await run('verify');
    assert.equal(moved.code, 1, moved.stdout + moved.stderr);
    assert.match(
      moved.stdout,
      /problem: Cannot reach the Entra authority at 127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\): the authority https:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+ of the written config\./,
    );
    assert.match(moved.stdout, /next: +Nothing listens on that port\..*re-render it with `tenantform output /);
  });
});
