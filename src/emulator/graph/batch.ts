import type { Caller, EmulatorEnv } from '../context.js';
import { graphErrors } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../http.js';

/** Runs one sub-request through the normal Graph pipeline (throttling, routing, permissions). */
export type SubRequestRunner = (sub: EmuRequest) => Promise<EmuResponse>;

/** POST /$batch — https://learn.microsoft.com/graph/json-batching */
export async function handleBatch(_req: EmuRequest, _caller: Caller, _run: SubRequestRunner, _env: EmulatorEnv): Promise<EmuResponse> {
  throw graphErrors.notImplemented('$batch');
}
