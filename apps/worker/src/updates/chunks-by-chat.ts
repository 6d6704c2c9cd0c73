import type { Update } from 'telegraf/types';
import { serialKeyOf } from '@botfleet/bot-api';

/**
 * Splits a batch into chunks of about `size` updates, each chat's updates whole and in order in one chunk,
 * so chunks can run side by side without reordering any chat.
 */
export function chunksByChat(updates: Update[], size: number): Update[][] {
  const byChat = new Map<string, Update[]>();
  for (const u of updates) {
    const key = serialKeyOf(u);
    const list = byChat.get(key);
    if (list) list.push(u);
    else byChat.set(key, [u]);
  }
  const chunks: Update[][] = [];
  let current: Update[] = [];
  for (const list of byChat.values()) {
    current.push(...list);
    if (current.length >= size) {
      chunks.push(current);
      current = [];
    }
  }
  if (current.length) chunks.push(current);
  return chunks;
}
