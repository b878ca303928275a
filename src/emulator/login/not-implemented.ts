import { json, type EmuResponse } from '../http.js';

/**
 * Anything under the authority host the emulator does not model answers this explicit OAuth-style error
 * (HTTP 501, `error: "not_implemented"`) instead of guessing (DESIGN.md style 7). It has no AADSTS code on
 * purpose: no real Entra code means "the emulator lacks this".
 */
export class LoginNotImplemented extends Error {
  constructor(readonly what: string) {
    super(`The tenantform emulator does not implement ${what}.`);
  }
}

export function renderNotImplemented(e: LoginNotImplemented): EmuResponse {
  return json(501, { error: 'not_implemented', error_description: e.message }, { 'Content-Type': 'application/json; charset=utf-8' });
}
