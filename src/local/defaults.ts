// Constants only (no emulator code loads): the CLI's `emulator` command reads them when it builds its options.
export { DEFAULT_EMULATOR_PORT, DEFAULT_STATE_FILE } from '../emulator/defaults.js';
