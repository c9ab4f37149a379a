// Every keyboard shortcut of the history window, in one list: the shortcut sheet shows it, and
// keeping it beside the handlers (History.tsx, People.tsx, Composer.tsx) is what keeps the sheet honest.
import { isMac } from './hooks.ts';

const mod = isMac ? '⌘' : 'Ctrl';

export const shortcutGroups: { title: string; keys: { keys: string[]; what: string }[] }[] = [
  {
    title: 'Anywhere',
    keys: [
      { keys: [`${mod}+K`], what: 'Jump to a conversation' },
      { keys: [`${mod}+F`], what: 'Search messages' },
      { keys: [`${mod}+N`], what: 'New conversation' },
      { keys: [`${mod}+,`], what: 'Settings' },
      { keys: [`${mod}+1`], what: 'Chats' },
      { keys: [`${mod}+2`], what: 'People: find a contact' },
      { keys: [`${mod}+Tab`, 'Alt+↓'], what: 'Next chat in the list' },
      { keys: [`${mod}+Shift+Tab`, 'Alt+↑'], what: 'Previous chat in the list' },
      { keys: ['F6'], what: 'Move between the list and the conversation' },
      { keys: [`${mod}+/`, '?'], what: 'This list of shortcuts' },
      { keys: ['Esc'], what: 'Close a dialog; outside a text field, hide the window' },
    ],
  },
  {
    title: 'Lists',
    keys: [
      { keys: ['↑', '↓', 'Home', 'End', 'Page Up', 'Page Down'], what: 'Move through the list' },
      { keys: ['Enter'], what: 'Open' },
    ],
  },
  {
    title: 'People',
    keys: [
      { keys: ['Enter'], what: 'Chat with the person (double-click too)' },
      { keys: ['Space'], what: 'Show their contact card' },
      { keys: ['←', '→'], what: 'Collapse or expand a group' },
      { keys: ['Esc'], what: 'Clear the filter, then close the card' },
    ],
  },
  {
    title: 'Writing',
    keys: [
      { keys: ['Enter'], what: 'Send' },
      { keys: ['Shift+Enter'], what: 'New line' },
      { keys: ['Esc'], what: 'Nothing: the window stays (press F6 to leave the field)' },
    ],
  },
];

/** Where typing goes: keys such as "?" or Esc mean text there, not commands. */
export function isEditable(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return true;
  if (t.tagName !== 'INPUT') return false;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes((t as HTMLInputElement).type);
}
