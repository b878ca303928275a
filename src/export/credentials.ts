/**
 * Credentials. Their values cannot be read back, so they are listed as comments — name, id and expiry — with
 * the lines that would let tenantform create and rotate credentials of its own. Credentials tenantform itself
 * made (secrets and certificates named `tenantform:<name>`, federated credentials marked
 * `tenantform:stack=…`) are the exception: they are written as manifest entries, because the planner removes
 * a `tenantform:` credential whose name is not in the manifest (plan/rotation.ts) — leaving them out would
 * delete them on the next apply.
 */
import { X509Certificate } from 'node:crypto';
import { stringify } from 'yaml';
import type { FederatedIdentityCredential, KeyCredential, PasswordCredential } from '@microsoft/microsoft-graph-types';
import { OWNERSHIP_TAG_PREFIX, TOKEN_EXCHANGE_AUDIENCE } from '../model/desired.js';
import { githubFormOf } from '../manifest/normalize-credentials.js';
import { SECRET_NAME } from '../manifest/schema.js';
import type { Notes } from './context.js';

const PREFIX = 'tenantform:';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type Out = Record<string, unknown>;

export interface ExportedCredentials {
  secrets: Out[];
  certificates: Out[];
  federatedCredentials: Out[];
}

export function exportCredentials(o: {
  secrets: PasswordCredential[];
  keys: KeyCredential[];
  fics: FederatedIdentityCredential[];
  notes: Notes;
}): ExportedCredentials {
  const listed: string[] = [];
  const out: ExportedCredentials = { secrets: [], certificates: [], federatedCredentials: [] };
  const ours = (displayName: string | null | undefined, kind: string): string | undefined => {
    if (!displayName?.startsWith(PREFIX)) return undefined;
    const name = displayName.slice(PREFIX.length);
    if (SECRET_NAME.test(name)) return name;
    o.notes.warn(`its ${kind} "${displayName}" has tenantform's prefix but no valid name: the next apply removes it (rename it, or remove it yourself)`);
    return undefined;
  };
  const seen = new Set<string>();
  for (const s of o.secrets) {
    listed.push(`client secret "${s.displayName ?? ''}" (keyId ${s.keyId}${s.hint ? `, starts ${s.hint}` : ''}), ${expiry(s.endDateTime)}`);
    const name = ours(s.displayName, 'client secret');
    if (!name || seen.has(`s:${name}`)) continue;
    seen.add(`s:${name}`);
    const lifetime = lifetimeOf(s.startDateTime, s.endDateTime);
    out.secrets.push({ name, ...(lifetime && lifetime !== '180d' ? { lifetime } : {}) });
  }
  for (const k of o.keys) {
    const cert = certificateOf(k);
    listed.push(
      `certificate "${k.displayName ?? ''}" (keyId ${k.keyId}${cert ? `, ${cert.subject}, SHA-1 ${cert.thumbprint}` : ''}), ${expiry(k.endDateTime)}`,
    );
    const name = ours(k.displayName, 'certificate');
    if (!name || seen.has(`c:${name}`)) continue;
    seen.add(`c:${name}`);
    if (!cert) {
      o.notes.warn(`its certificate "${k.displayName}" could not be read, so the manifest cannot name it: the next apply removes it`);
      continue;
    }
    const lifetime = lifetimeOf(k.startDateTime, k.endDateTime);
    out.certificates.push({ name, generate: { subject: cert.subject, ...(lifetime && lifetime !== '1y' ? { lifetime } : {}) } });
  }
  const proposals: Out[] = [];
  for (const f of o.fics) {
    const marked = f.description?.startsWith(OWNERSHIP_TAG_PREFIX);
    const entry: Out = {
      name: f.name,
      ...(userDescription(f.description) ? { description: userDescription(f.description) } : {}),
      ...(f.audiences?.length === 1 && f.audiences[0] === TOKEN_EXCHANGE_AUDIENCE ? {} : { audience: f.audiences?.[0] }),
      // A GitHub Actions trust in the shorthand a person writes; any other as issuer and subject.
      ...trustOf(f),
    };
    if ((f.audiences?.length ?? 0) > 1) o.notes.warn(`federated credential "${f.name}" has several audiences; a manifest names one (the first)`);
    if (marked) out.federatedCredentials.push(entry);
    else {
      listed.push(`federated credential "${f.name}": issuer ${f.issuer}, subject ${f.subject}`);
      proposals.push(entry);
    }
  }
  if (listed.length) o.notes.footer.push(...credentialComment(listed, out, proposals));
  if (listed.length) {
    const one = listed.length === 1;
    const made = out.secrets.length + out.certificates.length;
    o.notes.warnings.push(
      `${o.notes.key}: ${one ? '1 credential is listed as a comment' : `${listed.length} credentials are listed as comments`} (values cannot be exported; ${
        made
          ? "tenantform's own are in the manifest, the others stay on the application untouched"
          : `${one ? 'it stays' : 'they stay'} on the application untouched`
      })`,
    );
  }
  return out;
}

function trustOf(f: FederatedIdentityCredential): Out {
  const github = githubFormOf(f.issuer, f.subject);
  return github ? { github } : { issuer: f.issuer, subject: f.subject };
}

function credentialComment(listed: string[], out: ExportedCredentials, proposals: Out[]): string[] {
  const lines = ['Credentials (values cannot be exported; credentials not made by tenantform stay as they are):', ...listed.map((l) => `  ${l}`)];
  if (out.secrets.length + out.certificates.length) {
    lines.push(
      "The tenantform:... ones are in the manifest (apply removes one it does not name); a secret whose value this machine's cache lacks is replaced.",
    );
  }
  lines.push('To let tenantform create and rotate credentials of its own, add (then remove the old ones in the admin center):');
  if (!out.secrets.length) lines.push('secrets:', '  - { name: main, lifetime: 180d }');
  if (proposals.length) {
    lines.push("federatedCredentials:   # adopting one marks its description as tenantform's on the next apply");
    for (const p of proposals) lines.push(`  - ${stringify(p, { collectionStyle: 'flow', lineWidth: 0 }).trim()}`);
  }
  return lines;
}

function userDescription(d: string | null | undefined): string | undefined {
  if (!d) return undefined;
  if (!d.startsWith(OWNERSHIP_TAG_PREFIX)) return d;
  // `tenantform:stack=<stack>` then, after one space, the user's text (model/desired.ts ficDescription).
  const at = d.indexOf(' ');
  return at < 0 ? undefined : d.slice(at + 1) || undefined;
}

function expiry(end: string | null | undefined): string {
  const t = Date.parse(end ?? '');
  return Number.isFinite(t) ? `expires ${new Date(t).toISOString().slice(0, 10)}` : 'no expiry';
}

/** The lifetime a credential was made with, in the manifest's units (`180d`, `2y`, `12h`), rounded to the hour. */
export function lifetimeOf(start: string | null | undefined, end: string | null | undefined): string | undefined {
  const ms = Date.parse(end ?? '') - Date.parse(start ?? '');
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  const hours = Math.max(1, Math.round(ms / HOUR_MS));
  if (hours % 24) return `${hours}h`;
  const days = (hours * HOUR_MS) / DAY_MS;
  return days % 365 === 0 ? `${days / 365}y` : `${days}d`;
}

function certificateOf(k: KeyCredential): { subject: string; thumbprint: string } | undefined {
  if (!k.key) return undefined;
  try {
    const x = new X509Certificate(Buffer.from(k.key, 'base64'));
    // Node prints one attribute per line (`CN=x\nO=y`); a manifest subject is the comma-separated form.
    return { subject: x.subject.split('\n').join(', '), thumbprint: x.fingerprint.replace(/:/g, '') };
  } catch {
    return undefined;
  }
}
