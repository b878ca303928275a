import { LoginNotImplemented } from './not-implemented.js';

/**
 * The `claims` request parameter (OpenID Connect §5.5) as Entra reads it for access tokens
 * (https://learn.microsoft.com/entra/identity-platform/claims-challenge):
 * - `{"access_token":{"xms_cc":{"values":["cp1"]}}}` — client capabilities (msal's clientCapabilities, CAE);
 * - `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}` (or `values`) — an authentication context the
 *   client steps up to;
 * - a claims challenge sent back as received (`capolids` from an AADSTS50076 answer), which asks Entra to satisfy
 *   those conditional access policies: kept in `capolids`.
 * Other members are ignored, as Entra ignores claims it does not know.
 */
export interface ClaimsRequest {
  /** access_token.xms_cc.values (client capabilities, e.g. ["cp1"]). */
  xmsCc: string[];
  /** access_token.acrs value(s): authentication context ids asked for. */
  acrs: string[];
  /** access_token.capolids.values: conditional access policy ids of a challenge the client answers. */
  capolids: string[];
}

export const NO_CLAIMS: ClaimsRequest = { xmsCc: [], acrs: [], capolids: [] };

export function parseClaimsRequest(raw: string | undefined): ClaimsRequest {
  if (raw === undefined || raw.trim() === '') return NO_CLAIMS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // Entra's answer to a claims parameter that is not JSON is not known to us: say so rather than guess.
    throw new LoginNotImplemented('a claims parameter that is not a JSON object (the real answer is not modelled)');
  }
  if (!isObject(parsed)) throw new LoginNotImplemented('a claims parameter that is not a JSON object (the real answer is not modelled)');
  const at = isObject(parsed.access_token) ? parsed.access_token : {};
  return { xmsCc: values(at.xms_cc), acrs: values(at.acrs), capolids: values(at.capolids) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `{"values":[…]}` or `{"value":"…"}` (OIDC individual claim requests; Entra's docs and MSAL use both). */
function values(v: unknown): string[] {
  if (!isObject(v)) return [];
  const list = Array.isArray(v.values) ? v.values : v.value !== undefined ? [v.value] : [];
  return list.filter((x): x is string => typeof x === 'string');
}
