// Settings live as JSON in userData/settings.json. Read = validate: a damaged or foreign file never
// takes the app down — it is kept aside (settings.json.bad-<time>) and the defaults are used.
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { defaultSettings, settingsSchema, type Settings } from '../ipc/contract.ts';

export type ParsedSettings = { ok: true; settings: Settings } | { ok: false; settings: Settings; problem: string };

/** Parses the file's text. Unknown keys are dropped; missing keys take their defaults; a wrong value fails. */
export function parseSettings(text: string): ParsedSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, settings: { ...defaultSettings }, problem: `not JSON (${(err as Error).message})` };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, settings: { ...defaultSettings }, problem: 'not a JSON object' };
  const parsed = settingsSchema.safeParse({ ...defaultSettings, ...(raw as Record<string, unknown>) });
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { ok: false, settings: { ...defaultSettings }, problem: why };
  }
  return { ok: true, settings: parsed.data };
}

export function serializeSettings(s: Settings): string {
  return `${JSON.stringify(settingsSchema.parse(s), null, 2)}\n`;
}

export async function loadSettingsFile(file: string, log: (line: string) => void, now = Date.now()): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log(`settings: cannot read ${file}: ${(err as Error).message}; using defaults`);
    return { ...defaultSettings };
  }
  const parsed = parseSettings(text);
  if (!parsed.ok) {
    const aside = `${file}.bad-${now}`;
    await rename(file, aside).catch(() => undefined);
    log(`settings: ${file} is invalid (${parsed.problem}); using defaults, the file was kept as ${aside}`);
  }
  return parsed.settings;
}

/** Atomic write (temp file + rename), mode 0600. */
export async function saveSettingsFile(file: string, s: Settings): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, serializeSettings(s), { mode: 0o600 });
  await rename(tmp, file);
}
