// tsc does not copy JSON data files that are read at run time; copy them next to the built code.
import { cpSync } from 'node:fs';
cpSync('src/emulator/data', 'dist/emulator/data', { recursive: true });
