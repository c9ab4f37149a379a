// Mirrors MAX_MESSAGE_LENGTH of main/ipc/contract.ts (a value, so it cannot be imported: the renderer
// takes only types from main). The contract still validates every message in main.
export const MAX_MESSAGE_LENGTH_UI = 8000;
/** Mirrors MAX_GROUP_INVITEES: people invited at once into a group (New conversation, Add people). */
export const MAX_GROUP_INVITEES = 50;
