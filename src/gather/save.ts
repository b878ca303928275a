import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../lib/atomic-write.js';
import type { Snapshot } from '../model/snapshot.js';

/**
 * The Snapshot as JSON with every secret it holds redacted: client secret values from the cache, private keys
 * and PFX passwords of certificates — wherever they appear, including inside the current content of output
 * files. Each value becomes the same token everywhere (`<first 3 characters>.redacted.<sha256 prefix>`), so a
 * replay plans exactly as the original did: a rendered output still equals the file it was compared with, and
 * Graph's secret `hint` (the first 3 characters, which Graph itself returns) still matches the file.
 */
export function redactedSnapshot(s: Snapshot): string {
  let text = JSON.stringify(s, null, 2);
  for (const value of secretValues(s).sort((a, b) => b.length - a.length)) {
    // Only characters every output format writes bare (a .env value unquoted, a JSON or JS string unescaped), as a
    // client secret's own are: a token that had to be quoted would no longer equal the file it replaced it in.
    const token = `${value.slice(0, 3)}.redacted.${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
    text = text.replaceAll(JSON.stringify(value).slice(1, -1), JSON.stringify(token).slice(1, -1));
  }
  return `${text}\n`;
}

function secretValues(s: Snapshot): string[] {
  if (s.operation !== 'apply') return [];
  const out = new Set<string>();
  for (const apps of Object.values(s.local.secrets)) for (const names of Object.values(apps)) for (const k of Object.values(names)) out.add(k.value);
  for (const apps of Object.values(s.local.certificateFields)) {
    for (const names of Object.values(apps)) {
      for (const f of Object.values(names)) {
        if ('error' in f) continue;
        for (const v of [f.privateKey, f.pfxPassword, f.pem]) if (v) out.add(v);
      }
    }
  }
  return [...out].filter((v) => v.length >= 4);
}

/** `plan --save-snapshot FILE`: written 0600 (it names the tenant's objects), secrets redacted. */
export function saveSnapshot(file: string, s: Snapshot): void {
  writeFileAtomic(file, redactedSnapshot(s), 0o600);
}
