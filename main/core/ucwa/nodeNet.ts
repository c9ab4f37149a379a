// Network set-up for the Node CLI (Electron's net.fetch already uses the OS trust store and the
// system proxy). Call once at start-up, before the first request.
//  - Trust: enterprise CAs live in the OS store, not in Node's bundled Mozilla list. Node >= 22.15 /
//    23.9 exposes tls.getCACertificates('system'); adding those to the defaults makes fetch trust
//    them. Older Nodes: NODE_EXTRA_CA_CERTS or --use-system-ca is the documented fallback.
//  - Proxy: undici's EnvHttpProxyAgent is not a dependency here. Node 24 honours HTTPS_PROXY /
//    HTTP_PROXY / NO_PROXY for fetch when NODE_USE_ENV_PROXY=1 is set in the environment at launch;
//    newer Nodes also offer http.setGlobalProxyFromEnv(), used when present.
import * as http from 'node:http';
import * as tls from 'node:tls';

export interface NodeNetSetup {
  systemCa: 'added' | 'unavailable';
  proxy: 'setGlobalProxyFromEnv' | 'NODE_USE_ENV_PROXY' | 'none';
}

type TlsWithCa = typeof tls & {
  getCACertificates?: (type: 'default' | 'system' | 'bundled' | 'extra') => string[];
  setDefaultCACertificates?: (certs: string[]) => void;
};
type HttpWithProxy = typeof http & { setGlobalProxyFromEnv?: () => void };

export function setupNodeNetworking(env: NodeJS.ProcessEnv = process.env): NodeNetSetup {
  const result: NodeNetSetup = { systemCa: 'unavailable', proxy: 'none' };
  const t = tls as TlsWithCa;
  if (typeof t.getCACertificates === 'function' && typeof t.setDefaultCACertificates === 'function') {
    try {
      const merged = new Set([...t.getCACertificates('default'), ...t.getCACertificates('system')]);
      t.setDefaultCACertificates([...merged]);
      result.systemCa = 'added';
    } catch {
      // A broken OS store must not stop the CLI: the bundled roots still apply.
    }
  }
  const h = http as HttpWithProxy;
  const hasProxyEnv = !!(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy);
  if (hasProxyEnv && typeof h.setGlobalProxyFromEnv === 'function') {
    h.setGlobalProxyFromEnv();
    result.proxy = 'setGlobalProxyFromEnv';
  } else if (env.NODE_USE_ENV_PROXY === '1') {
    result.proxy = 'NODE_USE_ENV_PROXY';
  }
  return result;
}
