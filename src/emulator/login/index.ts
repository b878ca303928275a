import type { EmulatorEnv } from '../context.js';
import { graphErrors, renderGraphFault } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../http.js';

/** Token endpoint and discovery (login.microsoftonline.com equivalents). */
export async function handleLogin(req: EmuRequest, _env: EmulatorEnv): Promise<EmuResponse> {
  return renderGraphFault(graphErrors.notImplemented(`${req.method} ${req.path}`));
}
