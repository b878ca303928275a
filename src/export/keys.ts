/**
 * Manifest keys for exported applications. A key is an identity once adopted (it is half of the uniqueName,
 * `<stack>--<key>`, which Graph never lets change), so it must be the same on every export of the same apps:
 * - an application that already has a tenantform uniqueName keeps the key it names;
 * - others get one from their display name (lower-case words joined by `-`, valid for the schema's APP_KEY);
 * - clashes are broken by appId order, which never changes, not by the order Graph lists them in.
 */
import { parseUniqueName } from '../model/desired.js';
import { APP_KEY, APP_KEY_MAX } from '../manifest/schema.js';

export interface KeyInput {
  appId: string;
  displayName: string;
  uniqueName?: string | null;
}

/** A valid key from free text: `ciam-ToDoList-api` → `ciam-todolist-api`, `My API (prod)` → `my-api-prod`. */
export function keyFromDisplayName(displayName: string): string {
  const words = displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9_]+/)
    .filter(Boolean);
  let key = words.join('-');
  // APP_KEY starts with a letter: `2024 api` → `app-2024-api`.
  if (!/^[a-z]/.test(key)) key = key ? `app-${key}` : 'app';
  return trimKey(key, APP_KEY_MAX);
}

function trimKey(key: string, max: number): string {
  return key.length <= max ? key : key.slice(0, max).replace(/[-_]+$/, '');
}

/** Keys for all applications at once (appId → key), unique and stable. */
export function assignKeys(apps: readonly KeyInput[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  const byAppId = [...apps].sort((a, b) => a.appId.localeCompare(b.appId));
  // Keys named by a uniqueName first: they cannot be anything else once adopted.
  for (const a of byAppId) {
    const key = a.uniqueName ? parseUniqueName(a.uniqueName)?.key : undefined;
    if (key && APP_KEY.test(key) && key.length <= APP_KEY_MAX && !taken.has(key.toLowerCase())) {
      out.set(a.appId, key);
      taken.add(key.toLowerCase());
    }
  }
  for (const a of byAppId) {
    if (out.has(a.appId)) continue;
    const base = keyFromDisplayName(a.displayName);
    let key = base;
    for (let n = 2; taken.has(key.toLowerCase()); n++) key = `${trimKey(base, APP_KEY_MAX - String(n).length - 1)}-${n}`;
    out.set(a.appId, key);
    taken.add(key.toLowerCase());
  }
  return out;
}
