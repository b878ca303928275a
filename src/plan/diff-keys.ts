import { createHash } from 'node:crypto';
import type { KeyCredential } from '@microsoft/microsoft-graph-types';
import { fileCertificateKeyId } from '../model/credential-ids.js';
import { TenantformError } from '../errors.js';
import type { LiveApplication } from '../model/live.js';
import { certificateDisplayName, type DesiredCertificate } from '../model/desired.js';
import type { CertificateInputs } from '../model/local.js';
import type { PlanApplication } from './input.js';
import { endOf, planRotation, type Assessment, type RotationKind } from './rotation.js';
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

/**
 * Certificates (keyCredential displayName `tenantform:<name>`) through the shared lifecycle (rotation.ts).
 * What is particular to certificates: a generated one is current when the store knows its keyId (and still
 * has its private key); a file's is current when Graph holds the same certificate — it never rotates by time
 * or by `--rotate-certificates`, since it changes when the user replaces the file. Keys the stack did not
 * create are never touched — apply resends them unchanged in its read-modify-write PATCH.
 */
export function diffKeys(input: KeyDiffInput): Change[] {
  const { desired: d, live, now } = input;
  const localOf = (c: DesiredCertificate): CertificateInputs => input.certificates[c.name] ?? { known: [] };
  const kind: RotationKind<KeyCredential, DesiredCertificate> = {
    noun: 'certificate',
    removeAction: 'remove-certificate',
    displayName: certificateDisplayName,
    assess: (c, mine) =>
      c.source.kind === 'file' ? assessFile(readFile(c, c.source, localOf(c), d), mine) : assessGenerated(c, localOf(c), mine, now, input.rotate === true),
    add(c, b) {
      // Keys in the order they had before the lifecycle was shared, so saved plans stay byte-identical.
      const head = { id: b.id, action: 'add-certificate' as const, app: b.app, name: c.name, displayName: b.displayName };
      const tail = { reason: b.reason, wave: 0, dependsOn: b.dependsOn };
      if (c.source.kind === 'file') {
        const f = readFile(c, c.source, localOf(c), d);
        return {
          ...head,
          source: 'file',
          keyId: fileCertificateKeyId(f.thumbprintSha256),
          thumbprintSha256: f.thumbprintSha256,
          subject: f.subject,
          lifetimeMs: null,
          file: c.source.path,
          passwordEnv: c.source.passwordEnv,
          ...tail,
        };
      }
      const pending = pendingOf(c, localOf(c), b.mine, now);
      return {
        ...head,
        source: 'generate',
        keyId: pending?.keyId ?? null,
        thumbprintSha256: pending?.thumbprintSha256 ?? null,
        subject: c.source.subject,
        lifetimeMs: c.source.lifetimeMs,
        file: null,
        passwordEnv: null,
        ...tail,
      };
    },
    reasons: {
      leftover: 'not the current certificate, and no config file refers to it',
      stale: 'not the current certificate; removed once the outputs refer to the current one',
      replaced: 'replaced by a new certificate once the outputs refer to it',
      unmanaged: 'the certificate is no longer in the manifest',
    },
  };
  return planRotation(kind, {
    desired: d,
    creating: input.appChangeIds.includes(appRef(d.stack, d.key)) && !live,
    live: live?.app.keyCredentials ?? [],
    wanted: d.certificates,
    now,
    inUse: input.inUse,
  });
}

type FileSource = Extract<DesiredCertificate['source'], { kind: 'file' }>;
type ReadFile = Exclude<NonNullable<CertificateInputs['file']>, { error: string }>;

function readFile(c: DesiredCertificate, source: FileSource, local: CertificateInputs, app: PlanApplication): ReadFile {
  const f = local.file;
  if (!f || 'error' in f) {
    throw new TenantformError(
      'USAGE',
      `Cannot read certificate "${c.name}" of ${app.uniqueName} from ${source.path}: ${f && 'error' in f ? f.error : 'not read'}.`,
      { location: c.location },
    );
  }
  return f;
}

/**
 * A file the user keeps is current when Graph holds the same certificate; it is never renewed by time or
 * by --rotate-certificates: replacing the file is its rotation.
 */
function assessFile(f: ReadFile, mine: readonly KeyCredential[]): Assessment<KeyCredential> {
  const current = mine.find((k) => keyThumbprintSha256(k) === f.thumbprintSha256);
  return { current, rotate: false, missing: mine.length ? 'the certificate file holds a new certificate' : 'the certificate is not registered yet' };
}

/**
 * A generated certificate is current when the store knows its keyId (and still has its private key); of
 * several, the newest stored one — the same rule the output fields use (credentials/store.ts current()).
 * Not the latest end date: a rotation right after a create gives two certificates whose notAfter fall in
 * the same second (X.509 times have second precision), and then Graph's list order would decide.
 */
function assessGenerated(
  c: DesiredCertificate,
  local: CertificateInputs,
  mine: readonly KeyCredential[],
  now: number,
  rotate: boolean,
): Assessment<KeyCredential> {
  const storedAt = new Map(local.known.filter((k) => k.state !== 'removing').map((k) => [k.keyId.toLowerCase(), k.createdAt]));
  const createdAt = (k: KeyCredential) => storedAt.get(String(k.keyId).toLowerCase()) ?? '';
  const current = mine
    .filter((k) => storedAt.has(String(k.keyId).toLowerCase()) && endOf(k) > now)
    .sort((a, b) => createdAt(b).localeCompare(createdAt(a)) || endOf(b) - endOf(a))[0];
  return {
    current,
    renewBeforeMs: c.renewBeforeMs,
    rotate,
    missing: mine.length ? 'no usable certificate: the known one is gone, expired or its private key is lost' : 'the certificate is not registered yet',
  };
}

/** A certificate a crashed run generated and stored but never registered is reused, not regenerated. */
function pendingOf(c: DesiredCertificate, local: CertificateInputs, mine: readonly KeyCredential[], now: number) {
  return local.known
    .filter((k) => !mine.some((m) => String(m.keyId).toLowerCase() === k.keyId.toLowerCase()) && Date.parse(k.notAfter) - now > c.renewBeforeMs)
    .filter((k) => k.state === 'pending')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}
