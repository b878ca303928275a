import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Emulator } from '../../src/emulator/index.js';
import { rawFetch, startEmulator } from '../helpers/emulator.js';

describe('emulator serving', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());

  it('answers Graph without a token with 401 InvalidAuthenticationToken and a Bearer challenge', async () => {
    const res = await rawFetch(emu, '/v1.0/organization');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer /);
    const body = (await res.json()) as { error: { code: string; innerError: Record<string, string> } };
    assert.equal(body.error.code, 'InvalidAuthenticationToken');
    assert.ok(body.error.innerError['request-id']);
  });

  it('logs each request with its status', () => {
    const last = emu.requestLog.entries.at(-1);
    assert.equal(last?.path, '/v1.0/organization');
    assert.equal(last?.status, 401);
  });
});
