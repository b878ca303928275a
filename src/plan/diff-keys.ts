import { createHash } from 'node:crypto';
import type { KeyCredential } from '@microsoft/microsoft-graph-types';
import { fileCertificateKeyId } from '../model/credential-ids.js';
import { TenantformError } from '../errors.js';
import type { LiveApplication } from '../model/live.js';
import { certificateDisplayName, type DesiredCertificate } from '../model/desired.js';
import type { CertificateInputs } from '../model/local.js';
import type { PlanApplication } from './input.js';
import { appRef, type Change } from './types.js';

export interface KeyDiffInput {
  desired: PlanApplication;
  live?: LiveApplication;
  /** Local knowledge of this app's certificates, by certificate name. */
  certificates: Record<string, CertificateInputs>;
  now: number;
  appChangeIds: string[];
  /** `apply --rotate-certificates`: replace every generated certificate even if it is still valid. */
  rotate?: boolean;
  /** keyIds an existing output file may refer to (see diff-secrets.ts); undefined = unknown. */
  inUse?: readonly string[];
}

/** SHA-256 of the DER certificate Graph holds (`key`, base64; present because reader.ts $selects keyCredentials). */
export function keyThumbprintSha256(k: KeyCredential): string | undefined {
  return k.key ? createHash('sha256').update(Buffer.from(k.key, 'base64')).digest('hex') : undefined;
}

const endOf = (k: KeyCredential) => Date.parse(k.endDateTime ?? '') || 0;

/**
 * Certificates, per manifest name (keyCredential displayName `tenantform:<name>`), the same lifecycle as
 * secrets (diff-secrets.ts): keep the current one; rotate within the renewal window or when forced (generated
 * certificates only: a file's certificate changes when the user replaces the file); a new certificate is
 * registered before the outputs move to it, and the old one is removed only after that. Keys the stack did
 * not create are never touched — apply resends them unchanged in its read-modify-write PATCH.
 */
export function diffKeys(input: KeyDiffInput): Change[] {
  const { desired: d, live } = input;
  const ref = appRef(d.stack, d.key);
  const keys: KeyCredential[] = live?.app.keyCredentials ?? [];
  const changes: Change[] = [];
  const prefix = certificateDisplayName({ name: '' });
  const wanted = new Set(d.certificates.map((c) => certificateDisplayName(c)));
  const mayBeInUse = (k: KeyCredential) => !input.inUse || input.inUse.includes(String(k.keyId));
  for (const c of d.certificates) {
    const displayName = certificateDisplayName(c);
    const mine = keys.filter((k) => k.displayName === displayName);
    const local = input.certificates[c.name] ?? { known: [] };
    const { current, due, add } = decide(c, mine, local, input);
    const others = mine.filter((k) => k !== current);
    const early = others.filter((k) => !mayBeInUse(k));
    const late = others.filter(mayBeInUse);
    const first = early.map((k) => removeKey(d, ref, k, { dependsOn: [], afterOutputs: false, reason: 'not the current certificate, and no config file refers to it' }));
    changes.push(...first);
    if (!add) {
      changes.push(...late.map((k) => removeKey(d, ref, k, { dependsOn: [], afterOutputs: true, reason: 'not the current certificate; removed once the outputs refer to the current one' })));
      continue;
    }
    const addId = `certificate:${d.stack}/${d.key}/${c.name}`;
    changes.push({
      id: addId,
      action: 'add-certificate',
      app: ref,
      name: c.name,
      displayName,
      ...add,
      wave: 0,
      dependsOn: [...(input.appChangeIds.includes(ref) && !live ? [ref] : []), ...first.map((x) => x.id)],
      reason: due ? `the certificate expires in ${Math.max(0, Math.floor((endOf(current!) - input.now) / 86_400_000))} days, within its renewal window` : add.reason,
    });
    for (const old of current ? [current, ...late] : late) {
      changes.push(removeKey(d, ref, old, { dependsOn: [addId], afterOutputs: true, reason: 'replaced by a new certificate once the outputs refer to it' }));
    }
  }
  for (const k of keys) {
    if (k.displayName?.startsWith(prefix) && !wanted.has(k.displayName)) {
      changes.push(removeKey(d, ref, k, { dependsOn: [], afterOutputs: false, reason: 'the certificate is no longer in the manifest' }));
    }
  }
  return changes;
}

type AddFields = Pick<Extract<Change, { action: 'add-certificate' }>, 'source' | 'keyId' | 'thumbprintSha256' | 'subject' | 'lifetimeMs' | 'file' | 'passwordEnv'> & { reason: string };

function decide(c: DesiredCertificate, mine: KeyCredential[], local: CertificateInputs, input: KeyDiffInput): { current?: KeyCredential; due: boolean; add?: AddFields } {
  if (c.source.kind === 'file') {
    const f = local.file;
    if (!f || 'error' in f) {
      throw new TenantformError('USAGE', `Cannot read certificate "${c.name}" of ${input.desired.uniqueName} from ${c.source.path}: ${f && 'error' in f ? f.error : 'not read'}.`, { location: c.location });
    }
    const current = mine.find((k) => keyThumbprintSha256(k) === f.thumbprintSha256);
    if (current) return { current, due: false };
    return {
      due: false,
      add: { source: 'file', keyId: fileCertificateKeyId(f.thumbprintSha256), thumbprintSha256: f.thumbprintSha256, subject: f.subject, lifetimeMs: null, file: c.source.path, passwordEnv: c.source.passwordEnv, reason: mine.length ? 'the certificate file holds a new certificate' : 'the certificate is not registered yet' },
    };
  }
  const known = new Map(local.known.filter((k) => k.state !== 'removing').map((k) => [k.keyId.toLowerCase(), k]));
  const current = mine
    .filter((k) => known.has(String(k.keyId).toLowerCase()) && endOf(k) > input.now)
    .sort((a, b) => endOf(b) - endOf(a))[0];
  const due = current !== undefined && endOf(current) - input.now <= c.renewBeforeMs;
  if (current && !due && !input.rotate) return { current, due };
  // A certificate a crashed run generated and stored but never registered is reused, not regenerated.
  const pending = local.known
    .filter((k) => !mine.some((m) => String(m.keyId).toLowerCase() === k.keyId.toLowerCase()) && Date.parse(k.notAfter) - input.now > c.renewBeforeMs)
    .filter((k) => k.state === 'pending')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  const reason = current && input.rotate ? 'rotation forced (--rotate-certificates)' : mine.length ? 'no usable certificate: the known one is gone, expired or its private key is lost' : 'the certificate is not registered yet';
  return {
    current,
    due,
    add: { source: 'generate', keyId: pending?.keyId ?? null, thumbprintSha256: pending?.thumbprintSha256 ?? null, subject: c.source.subject, lifetimeMs: c.source.lifetimeMs, file: null, passwordEnv: null, reason },
  };
}

function removeKey(d: PlanApplication, ref: string, k: KeyCredential, o: { dependsOn: string[]; afterOutputs: boolean; reason: string }): Change {
  return {
    id: `certificate-remove:${d.stack}/${d.key}/${k.keyId}`,
    action: 'remove-certificate',
    app: ref,
    keyId: String(k.keyId),
    displayName: String(k.displayName),
    afterOutputs: o.afterOutputs,
    wave: 0,
    dependsOn: o.dependsOn,
    reason: o.reason,
  };
}
