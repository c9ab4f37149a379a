// Builds the messenger service for the app: Electron's net.fetch (system proxy, PAC, integrated
// auth), the OS keychain, the SQLite store in userData, the install's endpointId.
import type { MessengerService } from '../core/app/types.ts';
import type { Secrets } from '../core/secrets/types.ts';

export type AppService = MessengerService;

export interface AppServiceOptions {
  dataDir: string;
  fetch: typeof fetch;
  secrets: Secrets;
  userAgent: string;
  log: (line: string) => void;
}

export async function createAppService(_opts: AppServiceOptions): Promise<AppService> {
  throw new Error('createMessengerService has not landed yet');
}
