// Types of scripts/start.mjs for the TypeScript tests that import it.
export declare function platformExecutable(platform?: NodeJS.Platform | 'mas'): string;
export declare function findElectron(env?: Record<string, string | undefined>, projectRoot?: string): { path: string; missing?: undefined } | { path?: undefined; missing: string };
export declare function missingMessage(why: string): string;
