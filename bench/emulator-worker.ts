/**
 * The bench's emulator, in a worker thread of its own (bench/run.ts). Microsoft Graph runs on other machines:
 * an emulator on the tool's event loop would bill the tool for the service's CPU (on this 2-core machine, the
 * two would also take turns on one core). The worker answers the bench's questions about its request log.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEmulator, type TenantSize } from '../src/emulator/index.js';

export interface EmulatorWorkerData {
  latencyMs: number;
  tenantSize: TenantSize;
}

export type EmulatorWorkerRequest =
  { id: number; op: 'mark' } | { id: number; op: 'since'; mark: number } | { id: number; op: 'quotas'; enforce: boolean } | { id: number; op: 'close' };

const { latencyMs, tenantSize } = workerData as EmulatorWorkerData;
const emu = await createEmulator({ port: 0, env: {}, latencyMs, tenantSize });
parentPort!.postMessage({
  ready: {
    graphUrl: emu.graphUrl,
    authorityHost: emu.authorityHost,
    tenantId: emu.tenantId,
    adminClientId: emu.adminClientId,
    adminClientSecret: emu.adminClientSecret,
    ca: emu.ca,
  },
});
parentPort!.on('message', async (m: EmulatorWorkerRequest) => {
  if (m.op === 'mark') parentPort!.postMessage({ id: m.id, value: emu.requestLog.mark() });
  else if (m.op === 'since') parentPort!.postMessage({ id: m.id, value: emu.requestLog.since(m.mark) });
  else if (m.op === 'quotas') {
    emu.quotas.options.quotas = m.enforce;
    parentPort!.postMessage({ id: m.id, value: null });
  } else {
    await emu.close();
    parentPort!.postMessage({ id: m.id, value: null });
    parentPort!.close();
  }
});
