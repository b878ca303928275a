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
// A tenant of that size has that many users (quotas.ts: S < 50, M ≤ 500, L > 500), and the tool reads their count to
// know its bucket (src/graph/gate.ts): without them, the emulator would enforce L while the tool paced for S.
const USERS: Record<TenantSize, number> = { S: 0, M: 50, L: 501 };
for (let i = 0; i < USERS[tenantSize]; i++)
  emu.addUser({ userPrincipalName: `bench-user-${i}@tenantformlocal.onmicrosoft.com`, password: `Bench-${i}-not-a-secret!` });
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
