import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings } from '../../main/ipc/contract.ts';
import { loadSettingsFile, parseSettings, saveSettingsFile, serializeSettings } from '../../main/electron/settingsFile.ts';

test('parse: valid file, missing keys take defaults, unknown keys dropped', () => {
  assert.deepEqual(parseSettings(serializeSettings(defaultSettings)), { ok: true, settings: defaultSettings });
  const r = parseSettings('{"notificationShowText": false, "somethingElse": 1}');
  assert.ok(r.ok);
  assert.deepEqual(r.settings, { ...defaultSettings, notificationShowText: false });
});

test('parse: invalid → defaults with the problem', () => {
  for (const text of ['', 'not json', '[]', 'null', '42', '{"awayAfterMinutes": 0}', '{"doNotDisturb": "loud"}', '{"startAtLogin": "yes"}']) {
    const r = parseSettings(text);
    assert.equal(r.ok, false, text);
    assert.deepEqual(r.settings, defaultSettings, text);
    assert.ok(!r.ok && r.problem.length > 0);
  }
});

test('load/save: round trip, missing file → defaults silently, bad file kept aside + one log line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-settings-'));
  try {
    const file = join(dir, 'settings.json');
    const lines: string[] = [];
    assert.deepEqual(await loadSettingsFile(file, (l) => lines.push(l)), defaultSettings);
    assert.equal(lines.length, 0);
    const next = { ...defaultSettings, startHidden: true, awayAfterMinutes: 15 };
    await saveSettingsFile(file, next);
    assert.deepEqual(await loadSettingsFile(file, (l) => lines.push(l)), next);
    if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
    writeFileSync(file, '{"awayAfterMinutes": "ten"');
    assert.deepEqual(await loadSettingsFile(file, (l) => lines.push(l), 1234), defaultSettings);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /invalid.*kept as .*settings\.json\.bad-1234/);
    assert.deepEqual(readdirSync(dir).sort(), ['settings.json.bad-1234']);
    assert.equal(readFileSync(join(dir, 'settings.json.bad-1234'), 'utf8'), '{"awayAfterMinutes": "ten"');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
