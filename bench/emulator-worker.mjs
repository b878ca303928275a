// A worker thread does not inherit the parent's tsx loader hooks (Node 20): load the TypeScript worker through tsx's API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./emulator-worker.ts', import.meta.url);
