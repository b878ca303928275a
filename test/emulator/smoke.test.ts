import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rawFetch, useEmulator } from '../helpers/emulator.js';

describe('emulator serving', () => {
  const emu = useEmulator();

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
