import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MessengerService, ServiceEventName } from '../../main/core/app/types.ts';
import { accountKey, createAccountService } from '../../main/electron/accountService.ts';

function fake(account: string | null, log: string[]) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const svc = {
    account,
    emit: (e: ServiceEventName, p: unknown) => listeners.get(e)?.forEach((l) => l(p)),
    signIn: async (r: { sip: string }) => (log.push(`signIn ${account} ${r.sip}`), { status: 'online' }),
    signInRemembered: async (sip?: string) => (log.push(`remembered ${account} ${sip}`), { status: 'online' }),
    state: () => ({ status: account ? 'online' : 'signedOut' }),
    send: async (id: number, text: string) => (log.push(`send ${account} ${id} ${text}`), { clientId: 'c' }),
    on: (e: string, l: (p: unknown) => void) => {
      if (!listeners.has(e)) listeners.set(e, new Set());
      listeners.get(e)!.add(l);
      return () => listeners.get(e)!.delete(l);
    },
    close: async () => void log.push(`close ${account}`),
  };
  return svc;
}

test('routes to a per-account service, switching (old one closed) when another account signs in; listeners survive', async () => {
  const log: string[] = [];
  const made: ReturnType<typeof fake>[] = [];
  const svc = await createAccountService({
    create: async (account) => {
      const f = fake(account, log);
      made.push(f);
      return f as unknown as MessengerService;
    },
    rememberedAccount: async (sip) => sip ?? 'sip:remembered@contoso.com',
  });
  assert.equal(svc.account(), null);
  assert.equal(svc.state().status, 'signedOut');
  const events: unknown[] = [];
  svc.on('message', (m) => events.push(m));
  made[0]!.emit('message', 'before');
  await svc.signIn({ sip: 'Alice@Contoso.com', password: 'x' });
  assert.equal(svc.account(), 'sip:alice@contoso.com');
  made[1]!.emit('message', 'after');
  made[0]!.emit('message', 'stale'); // the closed service is detached
  assert.deepEqual(events, ['before', 'after']);
  await svc.signIn({ sip: 'sip:alice@contoso.com', password: 'x' }); // same account: no switch
  assert.equal(made.length, 2);
  await svc.send(3, 'hi');
  await svc.signInRemembered();
  assert.equal(svc.account(), 'sip:remembered@contoso.com');
  await svc.close();
  assert.deepEqual(log, [
    'close null', 'signIn sip:alice@contoso.com Alice@Contoso.com', 'signIn sip:alice@contoso.com sip:alice@contoso.com', 'send sip:alice@contoso.com 3 hi',
    'close sip:alice@contoso.com', 'remembered sip:remembered@contoso.com sip:remembered@contoso.com', 'close sip:remembered@contoso.com',
  ]);
});

test('no remembered account → null, nothing switched', async () => {
  const svc = await createAccountService({ create: async (a) => fake(a, []) as unknown as MessengerService, rememberedAccount: async () => null });
  assert.equal(await svc.signInRemembered(), null);
  assert.equal(svc.account(), null);
  assert.equal(accountKey(' Bob@X.com '), 'sip:bob@x.com');
});
