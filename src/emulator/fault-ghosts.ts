/**
 * Replication lag on deletes (a `lag` rule matching a DELETE): for lagMs after the delete, a GET of the same path
 * still finds the object, as a replica that has not seen the delete yet serves it ("removal not immediate either":
 * anchors.md gotcha 7; https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra).
 * Directory objects kept in the store's collections also leave a tombstone there (store/collection.ts), so lists,
 * $filter and alternate keys find them too while the write master (uniqueness, the recycle bin) has them gone; the
 * ghost covers what is not such an object (a federated credential, an owner reference) by its path.
 */
export class DeleteGhosts {
  private readonly ghosts = new Map<string, { body: Record<string, unknown>; until: number }>();

  remember(tenantId: string, path: string, body: unknown, until: number): void {
    if (body && typeof body === 'object') this.ghosts.set(key(tenantId, path), { body: body as Record<string, unknown>, until });
  }

  /** The object a lagging replica still serves for this path, with `$select` applied; undefined once the lag has passed. */
  read(tenantId: string, path: string, now: number, query: URLSearchParams): Record<string, unknown> | undefined {
    const k = key(tenantId, path);
    const g = this.ghosts.get(k);
    if (!g) return undefined;
    if (now >= g.until) {
      this.ghosts.delete(k);
      return undefined;
    }
    const select = query.get('$select');
    if (!select) return g.body;
    const wanted = new Set(select.split(',').map((s) => s.trim().toLowerCase()));
    return Object.fromEntries(Object.entries(g.body).filter(([p]) => p.startsWith('@odata.') || p === 'id' || wanted.has(p.toLowerCase())));
  }

  forget(tenantId: string, path: string): void {
    this.ghosts.delete(key(tenantId, path));
  }
}

const key = (tenantId: string, path: string) => `${tenantId} ${path.toLowerCase()}`;
