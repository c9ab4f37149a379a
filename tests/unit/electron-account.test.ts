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

test('beforeSwitch: called before the old service closes on a switch (not for the same account)', async () => {
  const log: string[] = [];
  const svc = await createAccountService({
    create: async (account) => fake(account, log) as unknown as MessengerService,
    rememberedAccount: async () => null,
    beforeSwitch: () => void log.push('release watches'),
  });
  await svc.signIn({ sip: 'sip:a@contoso.com', password: 'x' });
  await svc.signIn({ sip: 'sip:a@contoso.com', password: 'x' });
  await svc.signIn({ sip: 'sip:b@contoso.com', password: 'x' });
  assert.deepEqual(log, [
    'release watches', 'close null', 'signIn sip:a@contoso.com sip:a@contoso.com', 'signIn sip:a@contoso.com sip:a@contoso.com',
    'release watches', 'close sip:a@contoso.com', 'signIn sip:b@contoso.com sip:b@contoso.com',
  ]);
});

test('no remembered account → null, nothing switched', async () => {
  const svc = await createAccountService({ create: async (a) => fake(a, []) as unknown as MessengerService, rememberedAccount: async () => null });
  assert.equal(await svc.signInRemembered(), null);
  assert.equal(svc.account(), null);
  assert.equal(accountKey(' Bob@X.com '), 'sip:bob@x.com');
});

test('Sign out keeps the remembered server, forget me drops it; Delete local history signs out (forget), closes the store, then removes the files', async () => {
  const log: string[] = [];
  const made: ReturnType<typeof fake>[] = [];
  const servers = new Map<string, string>([['sip:alice@contoso.com', 'https://pool/'], ['sip:bob@contoso.com', 'https://bob/']]);
  const svc = await createAccountService({
    create: async (account) => {
      const f = Object.assign(fake(account, log), {
        signOut: async (o?: { forget?: boolean }) => void log.push(`signOut ${account}${o?.forget ? ' forget' : ''}`),
      });
      made.push(f);
      return f as unknown as MessengerService;
    },
    rememberedAccount: async () => null,
    servers: {
      get: async (a) => servers.get(a),
      set: async (a, s) => {
        log.push(`server ${a} ${s ?? '(forgotten)'}`);
        if (s) servers.set(a, s); else servers.delete(a);
      },
    },
    removeLocalData: async (a) => void log.push(`remove files of ${a}`),
  });
  await assert.rejects(svc.deleteLocalHistory(), (err: Error & { code?: string }) => err.code === 'notSignedIn', 'no account open: nothing to delete');
  await svc.signIn({ sip: 'alice@contoso.com', password: 'x' });
  await svc.signOut();
  assert.equal(servers.get('sip:alice@contoso.com'), 'https://pool/', 'a plain sign-out keeps the remembered server');
  await svc.signOut({ forget: true });
  assert.equal(servers.get('sip:alice@contoso.com'), undefined, 'forget me drops it');
  const sessions: unknown[] = [];
  svc.on('session', (s) => sessions.push(s));
  log.length = 0;
  assert.deepEqual(await svc.deleteLocalHistory(), { account: 'sip:alice@contoso.com' });
  assert.deepEqual(log, [
    'signOut sip:alice@contoso.com forget', 'close sip:alice@contoso.com',
    'server sip:alice@contoso.com (forgotten)', 'remove files of sip:alice@contoso.com',
  ], 'signed out (forgetting the password), store closed, then the files');
  assert.equal(svc.account(), null);
  assert.deepEqual(sessions, [{ status: 'signedOut' }], 'the windows hear the new (signed-out) session');
  assert.equal(servers.get('sip:bob@contoso.com'), 'https://bob/', 'another account is untouched');
  await svc.close();
});

test('Delete local history: a store that cannot be closed deletes nothing', async () => {
  const removed: string[] = [];
  const svc = await createAccountService({
    create: async (account) => Object.assign(fake(account, []), {
      signOut: async () => undefined,
      close: async () => { if (account) throw new Error('worker stuck'); },
    }) as unknown as MessengerService,
    rememberedAccount: async () => null,
    removeLocalData: async (a) => void removed.push(a),
  });
  await svc.signIn({ sip: 'alice@contoso.com', password: 'x' });
  await assert.rejects(svc.deleteLocalHistory(), (err: Error & { code?: string }) => err.code === 'storage' && /nothing was deleted/.test(err.message));
  assert.deepEqual(removed, []);
  assert.equal(svc.account(), null, 'the app goes on with nobody signed in');
});

test('the sign-in name is remembered with the account (when remember is asked), used at the next launch, and forgotten with it', async () => {
  const asked: unknown[] = [];
  const logins = new Map<string, string>();
  const servers = new Map<string, string>();
  const store = (m: Map<string, string>) => ({ get: async (a: string) => m.get(a), set: async (a: string, v: string | undefined) => void (v ? m.set(a, v) : m.delete(a)) });
  const svc = await createAccountService({
    create: async (account) => Object.assign(fake(account, []), {
      signIn: async (r: unknown) => (asked.push(r), { status: 'online' }),
      signInRemembered: async (sip?: string, o?: unknown) => (asked.push({ remembered: sip, ...(o as object) }), { status: 'online' }),
      signOut: async () => undefined,
    }) as unknown as MessengerService,
    rememberedAccount: async (sip) => sip ?? 'sip:john.doe@contoso.com',
    servers: store(servers),
    logins: store(logins),
  });
  await svc.signIn({ sip: 'john.doe@contoso.com', password: 'x', login: 'CONTOSO\\jdoe' });
  assert.equal(logins.size, 0, 'not remembered unless asked');
  await svc.signIn({ sip: 'john.doe@contoso.com', password: 'x', login: 'CONTOSO\\jdoe', server: 'https://lyncweb.contoso.com/', remember: true });
  assert.equal(logins.get('sip:john.doe@contoso.com'), 'CONTOSO\\jdoe');
  await svc.signInRemembered();
  assert.deepEqual(asked.at(-1), { remembered: 'sip:john.doe@contoso.com', server: 'https://lyncweb.contoso.com/', login: 'CONTOSO\\jdoe' });
  // Signing in again without one (the SIP address is the name again) forgets it.
  await svc.signIn({ sip: 'john.doe@contoso.com', password: 'x', remember: true });
  assert.equal(logins.get('sip:john.doe@contoso.com'), undefined);
  await svc.signIn({ sip: 'john.doe@contoso.com', password: 'x', login: 'jdoe@corp.contoso.com', remember: true });
  await svc.signOut({ forget: true });
  assert.equal(logins.size, 0, 'forget me drops the sign-in name too');
  await svc.close();
});
