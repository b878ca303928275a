/**
 * A child process that runs one `apply` (the programmatic API, the same code path as the CLI) against an
 * emulator in the parent test process. Used by the crash tests with TENANTFORM_TEST_CRASH_AFTER_WRITES=k, so
 * the apply dies by SIGKILL right after its k-th write (src/apply/crash-hook.ts).
 *
 * Input: env TENANTFORM_TEST_CHILD = JSON { tenantId, graphUrl, authorityHost, caFile, clientId, clientSecret,
 * cwd, manifests, rotateSecrets?, rotateCertificates? }. Exit code 0 when the apply succeeded.
 */
import { readFileSync } from 'node:fs';
import { ClientSecretCredential } from '@azure/identity';
import { apply } from '../../src/index.js';

export interface ChildInput {
  tenantId: string;
  graphUrl: string;
  authorityHost: string;
  caFile: string;
  clientId: string;
  clientSecret: string;
  cwd: string;
  manifests: string[];
  rotateSecrets?: boolean;
  rotateCertificates?: boolean;
}

const input = JSON.parse(process.env.TENANTFORM_TEST_CHILD ?? '{}') as ChildInput;
const ca = readFileSync(input.caFile, 'utf8');
const credential = new ClientSecretCredential(input.tenantId, input.clientId, input.clientSecret, { authorityHost: input.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca } });
const r = await apply({
  manifests: input.manifests,
  tenant: input.tenantId,
  graphUrl: input.graphUrl,
  authorityHost: input.authorityHost,
  credential,
  ca,
  cwd: input.cwd,
  env: {},
  timeoutMs: 30_000,
  rotateSecrets: input.rotateSecrets,
  rotateCertificates: input.rotateCertificates,
});
process.exitCode = r.ok ? 0 : 1;
