import { createHash, X509Certificate } from 'node:crypto';
import { appsOf } from '../outputs/values.js';
import type { LiveState } from '../model/live.js';
import { appRef, certificateDisplayName, secretDisplayName, type DesiredStack } from '../model/desired.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Which of the stack's own credentials an existing output file may hold, by app ref: keyIds for the planner
 * (plan/diff-secrets.ts, diff-keys.ts), which removes the others before adding a successor and these only
 * after the outputs hold it. Computed from the current content of the files the stack writes (`files`, by
 * manifest path, from the Snapshot; never logged; the result holds no secret):
 * - a client secret: Graph shows only its `hint` (its first 3 characters,
 *   https://learn.microsoft.com/graph/api/resources/passwordcredential), so a file containing the hint may
 *   hold it — a false match only delays a removal; no hint counts as "may hold it";
 * - a certificate: a file naming its keyId (the stored PEM path), its thumbprint, or holding the certificate.
 */
export function credentialsInUse(stacks: DesiredStack[], live: LiveState, files: Record<string, string | null>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const stack of stacks) {
    // Once per output, not once per (application, output).
    const holders = stack.outputs.map((o) => appsOf(stack, o).credential);
    for (const app of stack.applications) {
      const l = live.applications[app.uniqueName.toLowerCase()];
      if (!l) continue;
      const ref = appRef(stack.name, app.key);
      const texts = stack.outputs.filter((_, i) => holders[i].includes(ref)).flatMap((o) => files[o.path] ?? []);
      const inUse: string[] = [];
      const ours = new Set([...app.secrets.map(secretDisplayName), ...app.certificates.map(certificateDisplayName)]);
      for (const c of l.app.passwordCredentials ?? []) {
        if (!ours.has(String(c.displayName))) continue;
        if (!c.hint || texts.some((t) => t.includes(c.hint!))) inUse.push(String(c.keyId));
      }
      const held = new Set(texts.flatMap((t) => [...t.matchAll(PEM_CERT)].map((m) => thumbprint(m[0]))));
      for (const k of l.app.keyCredentials ?? []) {
        if (!ours.has(String(k.displayName))) continue;
        const der = k.key ? Buffer.from(k.key, 'base64') : undefined;
        const marks = [String(k.keyId), ...(der ? [createHash('sha1').update(der).digest('hex'), createHash('sha256').update(der).digest('hex')] : [])];
        const named = texts.some((t) => marks.some((m) => t.toLowerCase().includes(m.toLowerCase())));
        if (!der || named || held.has(createHash('sha256').update(der).digest('hex'))) inUse.push(String(k.keyId));
      }
      out[ref] = inUse;
    }
  }
  return out;
}

function thumbprint(pem: string): string {
  try {
    return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
  } catch {
    return '';
  }
}
