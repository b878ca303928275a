import { readFileSync } from 'node:fs';
import { createSecureContext, TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
const pfx = readFileSync('/tmp/i4/t.pfx');
const ctx = createSecureContext({ pfx, passphrase: '' });
const raw = (ctx as any).context.getCertificate?.();
console.log('ctx.getCertificate', raw && new X509Certificate(raw).subject);
const s = new TLSSocket(null as any, { secureContext: ctx });
const c = s.getCertificate();
console.log('socket', c && (c as any).subject, c && (c as any).raw?.length);
try { createSecureContext({ pfx, passphrase: 'wrong' }); } catch (e) { console.log('wrong pw:', (e as Error).message); }
