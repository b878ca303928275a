import { generate } from 'selfsigned';
import { createPfx } from '../src/credentials/pkcs12.js';
import { writeFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
const r = await generate([{ name: 'commonName', value: 'x' }], { keySize: 2048, algorithm: 'sha256' });
const pfx = createPfx({ certPem: r.cert, keyPem: r.private });
writeFileSync('/tmp/i4/t.pfx', pfx);
createSecureContext({ pfx, passphrase: '' });
console.log('tls ok');
