// Substitutes the `electron` module inside THIS test process only (Node's synchronous module hooks,
// `module.registerHooks`, Node >= 22.15). Each app run imports the real main bundle under its own
// query (`out/main/index.js?ucwaRun=N`): a fresh module instance per run, so a restart or a second
// instance is a second evaluation of the very same file. Inside that bundle:
//  - `import … from 'electron'` resolves to the run's emulation (runtime.ts);
//  - `process` is the run's view of the process (platform, argv, env, versions.electron), so the
//    macOS and Windows branches of main.ts run as logic on this Linux machine;
//  - a module the run declares missing (e.g. the keychain's native binding) fails to load as it would
//    on a machine without it.
// Nothing outside a run is touched: any other importer of 'electron' gets Node's normal resolution.
import { registerHooks } from 'node:module';

export const RUNS_KEY = Symbol.for('ucwa.emulation.runs');
const SCHEME = 'ucwa-emulated:';

/** What a run exposes to its bundle (kept on globalThis so the generated module text can reach it). */
export interface RunBinding {
  electron: Record<string, unknown>;
  process: NodeJS.Process;
  missingModules: readonly string[];
}

export function runs(): Map<string, RunBinding> {
  const g = globalThis as unknown as Record<symbol, Map<string, RunBinding> | undefined>;
  return (g[RUNS_KEY] ??= new Map());
}

const runOf = (url: string | undefined): string | null => {
  if (!url) return null;
  try {
    return new URL(url).searchParams.get('ucwaRun') ?? (url.startsWith(SCHEME) ? new URL(url).searchParams.get('run') : null);
  } catch {
    return null;
  }
};

let installed = false;

export function installElectronEmulation(): void {
  if (installed) return;
  installed = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const run = runOf(context.parentURL);
      if (run !== null) {
        if (specifier === 'electron' || specifier.startsWith('electron/')) {
          return { url: `${SCHEME}electron?run=${run}`, format: 'module', shortCircuit: true };
        }
        if (runs().get(run)?.missingModules.includes(specifier)) {
          return { url: `${SCHEME}missing?run=${run}&module=${encodeURIComponent(specifier)}`, format: 'module', shortCircuit: true };
        }
      }
      return nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
      if (url.startsWith(`${SCHEME}electron`)) {
        const run = runOf(url)!;
        const names = Object.keys(runs().get(run)?.electron ?? {});
        const access = `globalThis[Symbol.for('ucwa.emulation.runs')].get(${JSON.stringify(run)}).electron`;
        const source = [`const e = ${access};`, ...names.map((n) => `export const ${n} = e.${n};`), 'export default e;'].join('\n');
        return { format: 'module', source, shortCircuit: true };
      }
      if (url.startsWith(`${SCHEME}missing`)) {
        const name = new URL(url).searchParams.get('module') ?? '?';
        // The words @napi-rs packages use when their platform binding is absent.
        return { format: 'module', source: `throw new Error(${JSON.stringify(`Cannot find native binding for ${name} (emulated: this run has no such module)`)});`, shortCircuit: true };
      }
      const run = runOf(url);
      const result = nextLoad(url, context);
      if (run !== null && url.startsWith('file:') && result.source !== undefined) {
        // Shadow the global `process` for the whole bundle, on its first line (source maps stay right).
        const text = typeof result.source === 'string' ? result.source : Buffer.from(result.source as Uint8Array).toString('utf8');
        const prefix = `const process = globalThis[Symbol.for('ucwa.emulation.runs')].get(${JSON.stringify(run)}).process; `;
        return { ...result, format: 'module', source: prefix + text };
      }
      return result;
    },
  });
}
