import type { EmulatorEnv } from '../context.js';
import { envForTenant, tenantById } from '../directory.js';
import { html, type EmuRequest, type EmuResponse } from '../http.js';
import { deviceCodePage } from './pages.js';
import { pageFields } from './sign-in.js';
import { startDeviceSignIn } from './sign-in-flow.js';

/**
 * The device code verification page, `GET/POST /devicelogin` (the `verification_uri` /devicecode answers; Entra's is
 * https://microsoft.com/devicelogin → login.microsoftonline.com/common/oauth2/deviceauth, also served here as
 * `/{tenant}/oauth2/deviceauth`): the user types the code (input#otc), then signs in on the same pages as the
 * authorize endpoint (with the MFA step when the device's resource needs it) and confirms. Page texts for a wrong,
 * expired or used code are Entra's in substance; the AADSTS code goes to the request log (70018, 70019, 90120).
 */
export function handleDeviceLogin(req: EmuRequest, env: EmulatorEnv): EmuResponse {
  const action = req.path;
  if (req.method !== 'POST') return html(200, deviceCodePage({ action }));
  const code = (pageFields(req.body).otc ?? '').trim();
  const found = env.signIns.byUserCode(code);
  const again = (error: string, aadsts: number): EmuResponse => ({ ...html(400, deviceCodePage({ action, error, code })), errorCode: `AADSTS${aadsts}` });
  if (!found) return again("That code didn't work. Check the code and try again.", 70018);
  if (found.record.expiresAt <= env.clock.now()) return again('That code has expired. Get a new code from your app or device and try again.', 70019);
  if (found.record.status !== 'pending' || found.record.fault) return again('That code has already been used. Get a new code from your app or device.', 90120);
  const tenant = tenantById(env.tenant, found.record.tenantId);
  if (!tenant) return again("That code didn't work. Check the code and try again.", 70018);
  return startDeviceSignIn(envForTenant(env, tenant), req, found.hash);
}
