import { createHash, randomBytes } from 'node:crypto';
import type { StoreCore } from './collection.js';
import type { RefreshTokenRecord } from './state.js';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Refresh tokens the token endpoint issued. Opaque to clients (Entra's are too: "0.A…" strings nobody may parse);
 * only the sha256 of each token is kept, with what redeeming it needs (state.ts RefreshTokenRecord). The token
 * service is not a directory replica: no lag.
 */
export class RefreshTokenStore {
  constructor(private readonly core: StoreCore) {}

  /** Store a new refresh token's record and return the token. */
  issue(record: RefreshTokenRecord): string {
    const token = `0.${randomBytes(96).toString('base64url')}`;
    this.core.state.refreshTokens[sha256(token)] = structuredClone(record);
    this.core.changed();
    return token;
  }

  /** The record of a token this tenant issued (expired ones included: the caller decides), else undefined. */
  find(token: string): RefreshTokenRecord | undefined {
    const r = this.core.state.refreshTokens[sha256(token)];
    return r ? structuredClone(r) : undefined;
  }

  /** Forget a token (redeemed and replaced, or revoked). */
  revoke(token: string): void {
    delete this.core.state.refreshTokens[sha256(token)];
    this.core.changed();
  }
}
