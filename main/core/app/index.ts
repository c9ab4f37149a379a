// Public entry of the core for composition roots (CLI, Electron shell, tests, bench).
export { createMessengerService } from './service.ts';
export type { MessengerDeps, ServiceTiming } from './deps.ts';
export { setupNodeNetworking } from '../ucwa/nodeNet.ts';
