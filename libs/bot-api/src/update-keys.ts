/** The part of a Bot API update these keys read: its id and whatever object it carries (no Telegraf types needed). */
export type UpdateLike = { readonly update_id: number };

type WithChat = {
  chat?: { id?: number };
  message?: { chat?: { id?: number } };
  from?: { id?: number };
  user?: { id?: number };
};

/**
 * The ordering key of an update: its chat (a private chat's id is the user's id), else the user it comes
 * from; updates with neither (polls) need no order and get a key of their own.
 */
export function serialKeyOf(update: UpdateLike): string {
  for (const [field, value] of Object.entries(update)) {
    if (field === 'update_id' || typeof value !== 'object' || value === null) continue;
    const v = value as WithChat;
    const id = v.chat?.id ?? v.message?.chat?.id ?? v.from?.id ?? v.user?.id;
    if (typeof id === 'number') return `c${id}`;
  }
  return `u${update.update_id}`;
}

/** The private chat an update belongs to, if any (for telling a user something went wrong). */
export function privateChatIdOf(update: UpdateLike): number | undefined {
  for (const [field, value] of Object.entries(update)) {
    if (field === 'update_id' || typeof value !== 'object' || value === null) continue;
    const v = value as { chat?: { id?: number; type?: string }; message?: { chat?: { id?: number; type?: string } } };
    const chat = v.chat ?? v.message?.chat;
    if (chat?.type === 'private' && typeof chat.id === 'number') return chat.id;
  }
  return undefined;
}
