/**
 * The apply half of the rotation lifecycle (plan/rotation.ts), for secrets and certificates alike: one
 * credential write to Graph, bracketed by the local writes that make a crash at any point recoverable
 * (docs/credentials.md, "Crash safety"; test/e2e/crash-*.test.ts kill the process after every write):
 * - `before`: local state the Graph write depends on, written first (a generated certificate is stored
 *   before its upload; a removal is marked `removing` before the PATCH that drops the certificate);
 * - `graph`: the Graph write;
 * - `after`: the record of what Graph did, the moment it answered (a new secret's value reaches the cache
 *   before anything else runs; a certificate is marked uploaded; a removed one's key files go).
 * What a crash between two of them leaves is found and finished by the next plan.
 */
export interface CredentialWrite<P, R> {
  before?: () => Promise<P>;
  graph: (prepared: P) => Promise<R>;
  after?: (result: R, prepared: P) => Promise<void>;
}

export async function writeCredential<P = undefined, R = void>(w: CredentialWrite<P, R>): Promise<R> {
  const prepared = (w.before ? await w.before() : undefined) as P;
  const result = await w.graph(prepared);
  await w.after?.(result, prepared);
  return result;
}
