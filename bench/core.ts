// Core benchmarks: events/second through event channel → machines → service (a 10 000-message
// batch built in-process and pushed through the same dispatch path), and service creation → online
// against the local simulator.
import { startSimulator } from '../simulator/index.ts';
import { createMessengerService } from '../main/core/app/service.ts';
import { createMemoryStore } from '../main/core/store/memoryStore.ts';
import { parseBatch } from '../main/core/ucwa/events.ts';
import type { EventBatch } from '../main/core/ucwa/events.ts';

type Figures = Record<string, { value: number; unit: string; floor?: number }>;

interface Internals { _internals: { processBatch: (b: EventBatch) => Promise<void> } }

export async function benchCore(): Promise<Figures> {
  const sim = await startSimulator({ timeScale: 0.001, demoConversations: 5, seed: 1 });
  const store = createMemoryStore();
  const t0 = performance.now();
  const svc = createMessengerService({ fetch: (u, i) => fetch(u, i), store, endpointId: 'bench', timing: { pgetClientTimeoutMs: 5000 } });
  try {
    await svc.signIn({ sip: 'sip:demo@contoso.com', password: 'demo', server: sim.url });
    const online = performance.now() - t0;
    // A live conversation to receive into: one real incoming IM.
    let convId = -1;
    svc.on('invitation', (i) => { convId = i.conversationId; });
    await sim.control.sendIm(sim.people[0]!.sip, 'sip:demo@contoso.com', 'hello');
    while (convId < 0) await new Promise((r) => setTimeout(r, 5));
    const N = 10_000;
    const senderHref = await conversationHrefOf(svc);
    const events = Array.from({ length: N }, (_, i) => ({
      link: { rel: 'message', href: `${senderHref}/messaging/messages/bench${i}` },
      status: 'Success',
      _embedded: { message: {
        rel: 'message', direction: 'Incoming', timeStamp: `/Date(${1_800_000_000_000 + i})/`,
        _links: { self: { href: `${senderHref}/messaging/messages/bench${i}` }, contact: { href: `/people/${sim.people[0]!.sip.slice(4)}` },
          plainMessage: { href: `data:text/plain;charset=utf-8,bench+message+${i}` } },
      } },
      type: 'completed',
    }));
    const json = JSON.stringify({ _links: { self: { href: '/e?ack=1' }, next: { href: '/e?ack=2' } }, sender: [{ rel: 'conversation', href: senderHref, events }] });
    const t1 = performance.now();
    const batch = parseBatch(JSON.parse(json));
    await (svc as unknown as Internals)._internals.processBatch(batch);
    const secs = (performance.now() - t1) / 1000;
    return {
      'core: message events/s (10k batch → service → store)': { value: Math.round(N / secs), unit: 'events/s' },
      'core: service creation → online (local simulator)': { value: Math.round(online), unit: 'ms' },
    };
  } finally {
    await svc.close();
    await sim.stop();
  }
}

/** The live conversation's href as the service resolved it (test/bench hook). */
async function conversationHrefOf(svc: unknown): Promise<string> {
  const internals = (svc as { _internals: { liveHrefs?: () => string[] } })._internals;
  const hrefs = internals.liveHrefs?.() ?? [];
  if (!hrefs[0]) throw new Error('no live conversation');
  return hrefs[0];
}
