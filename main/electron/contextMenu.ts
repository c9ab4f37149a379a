// The right-click menu of every window, from Electron's 'context-menu' parameters (docs:
// api/web-contents, event 'context-menu'): spelling suggestions and "Add to dictionary" on a
// misspelled word, Cut/Copy/Paste as the edit flags allow, Copy link on a link, Select all. Pure
// data; main.ts turns the actions into webContents/session/clipboard calls.
import type { ContextMenuParams } from 'electron';
import { validateExternalUrl } from '../ipc/handlers.ts';

export type ContextAction =
  | { type: 'replaceMisspelling'; word: string }
  | { type: 'addToDictionary'; word: string }
  | { type: 'cut' | 'copy' | 'paste' | 'selectAll' }
  | { type: 'copyLink'; url: string };

export interface ContextItem {
  label: string;
  enabled: boolean;
  action: ContextAction | null; // null: a separator
}

const MAX_SUGGESTIONS = 5;

export function contextMenuModel(p: Pick<ContextMenuParams, 'misspelledWord' | 'dictionarySuggestions' | 'isEditable' | 'selectionText' | 'linkURL' | 'editFlags'>): ContextItem[] {
  const groups: ContextItem[][] = [];
  if (p.isEditable && p.misspelledWord) {
    const suggestions = p.dictionarySuggestions.slice(0, MAX_SUGGESTIONS).map((word): ContextItem => ({ label: word, enabled: true, action: { type: 'replaceMisspelling', word } }));
    if (!suggestions.length) suggestions.push({ label: 'No spelling suggestions', enabled: false, action: { type: 'selectAll' } });
    suggestions.push({ label: 'Add to dictionary', enabled: true, action: { type: 'addToDictionary', word: p.misspelledWord } });
    groups.push(suggestions);
  }
  const link = p.linkURL ? validateExternalUrl(p.linkURL) : null;
  if (link) groups.push([{ label: 'Copy link', enabled: true, action: { type: 'copyLink', url: link.href } }]);
  const edit: ContextItem[] = [];
  if (p.isEditable) edit.push({ label: 'Cut', enabled: p.editFlags.canCut, action: { type: 'cut' } });
  if (p.isEditable || p.selectionText) edit.push({ label: 'Copy', enabled: p.editFlags.canCopy, action: { type: 'copy' } });
  if (p.isEditable) edit.push({ label: 'Paste', enabled: p.editFlags.canPaste, action: { type: 'paste' } });
  edit.push({ label: 'Select all', enabled: p.editFlags.canSelectAll, action: { type: 'selectAll' } });
  groups.push(edit);
  return groups.flatMap((g, i) => (i ? [{ label: '', enabled: false, action: null }, ...g] : g));
}
