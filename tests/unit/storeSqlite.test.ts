// The Store contract against the SQLite store (a real database in a temp folder, a real worker),
// and the people migration (10) on a database that already has history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore, databaseFileName } from '../../main/core/store/sqliteStore.ts';
import { ensurePrivateFile } from '../../main/core/store/database.ts';
import { latestVersion, migrate } from '../../main/core/store/migrations.ts';
import { openDatabase } from '../../main/core/store/sqlite.ts';
import { storeContractTests } from './storeContract.ts';

const ACCOUNT = 'sip:me@contoso.com';

storeContractTests('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-store-'));
  const store = await createSqliteStore({ dataDir: dir, account: ACCOUNT });
  return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

test('upgrading a database to people (migration 10): names seen before become people, found without accents, none in the contact list', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-store-people-'));
  try {
    const path = join(dir, databaseFileName(ACCOUNT));
    ensurePrivateFile(path);
    const db = openDatabase(path);
    migrate(db, { target: 9 });
    const put = db.prepare('INSERT INTO contacts (sip, name, updated_at) VALUES (?, ?, ?)');
    put.run('sip:zoe@contoso.com', 'Zoé Martin', 1_700_000_000_000);
    put.run('sip:noname@contoso.com', '', 1_700_000_000_001);
    db.prepare(`INSERT INTO conversations (subject, type, direction, status, created_at, last_activity_at, participants)
      VALUES ('Old', 'MessageLog', 'Incoming', 'Archived', 1, 2, ?)`).run(JSON.stringify([{ sip: 'sip:zoe@contoso.com', name: 'Zoé Martin' }]));
    db.close();

    const lines: string[] = [];
    const store = await createSqliteStore({ dataDir: dir, account: ACCOUNT, checkpointIntervalMs: 0, log: (l) => lines.push(l) });
    try {
      assert.ok(lines.some((l) => l.includes('version 10')), lines.join('\n'));
      const zoe = await store.getPerson('sip:zoe@contoso.com');
      assert.equal(zoe?.name, 'Zoé Martin');
      assert.equal(zoe?.inContactList, false);
      assert.equal(zoe?.presence, null);
      assert.equal(zoe?.updated.card, null, 'a name seen is not a card read');
      assert.deepEqual((await store.findPeople('zoe')).map((p) => p.sip), ['sip:zoe@contoso.com'], 'the carried-over rows got their keys');
      assert.deepEqual((await store.findPeople('')).map((p) => p.sip), ['sip:noname@contoso.com', 'sip:zoe@contoso.com'], 'a nameless person sorts by address');
      assert.deepEqual((await store.listContacts('zoe')).map((p) => p.name), ['Zoé Martin'], 'listContacts reads the same rows');
      assert.deepEqual(await store.contactList(), { groups: [], people: [] });
      assert.equal((await store.listChats({})).items.length, 1, 'the history is untouched');
      await store.replaceContactList({ groups: [{ serverId: 'g', kind: 'pinned', name: 'Favorites', members: ['sip:zoe@contoso.com'] }] });
      assert.equal((await store.getPerson('sip:zoe@contoso.com'))?.inContactList, true);
    } finally {
      await store.close();
    }
    const after = openDatabase(path, { readonly: true });
    try {
      assert.equal(after.pragma('user_version', { simple: true }), latestVersion);
      const tables = after.prepare<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name);
      assert.ok(!tables.includes('contacts'), 'one table of people, not two');
      for (const t of ['people', 'contact_groups', 'contact_group_members']) assert.ok(tables.includes(t), t);
      assert.deepEqual(after.pragma('foreign_key_check'), []);
      // Reading the list walks indexes: members by person, people by name.
      const plan = (sql: string) => after.prepare<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all().map((r) => r.detail).join(' | ');
      const members = plan('SELECT m.group_id, m.sip FROM contact_group_members m JOIN people p ON p.sip = m.sip ORDER BY p.sort_key, p.sip');
      assert.doesNotMatch(members, /TEMP B-TREE/, members);
      const listed = plan("SELECT 1 FROM contact_group_members m WHERE m.sip = 'sip:x'");
      assert.match(listed, /contact_group_members_sip/, listed);
    } finally {
      after.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replaceContactList is one transaction: a failure half-way leaves the cards and the groups as they were', async () => {
  const { Backend } = await import('../../main/core/store/backend.ts');
  const { openMemoryDatabase } = await import('../../main/core/store/database.ts');
  const b = new Backend(openMemoryDatabase());
  try {
    b.write(() => b.people.replaceContactList({
      groups: [{ serverId: 'g', kind: 'user', name: 'Team', members: ['sip:a@x.com'] }],
      people: [{ sip: 'sip:a@x.com', name: 'Ann' }],
    }));
    // The cards are written before the groups are read: a group that throws when read (what no
    // structured clone can carry, so only a caller on this thread) fails the write after them.
    const hostile = { serverId: 'h', kind: 'user', name: 'Boom', get members(): string[] { throw new Error('half-way'); } };
    assert.throws(() => b.write(() => b.people.replaceContactList({
      groups: [{ serverId: 'g2', kind: 'pinned', name: 'New', members: ['sip:b@x.com'] }, hostile],
      people: [{ sip: 'sip:a@x.com', name: 'Renamed' }, { sip: 'sip:b@x.com', name: 'Bea' }],
    })), /half-way/);
    assert.equal(b.people.getPerson('sip:a@x.com')?.name, 'Ann');
    assert.equal(b.people.getPerson('sip:b@x.com'), null);
    assert.deepEqual(b.people.contactList().groups.map((g) => [g.serverId, g.members]), [['g', ['sip:a@x.com']]]);
  } finally {
    b.db.close();
  }
});
