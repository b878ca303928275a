// The emulator as the tool offers it (`tenantform emulator`, the programmatic API's createEmulator).
export { createEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.js';
