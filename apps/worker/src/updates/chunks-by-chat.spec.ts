import type { Update } from 'telegraf/types';
import { chunksByChat } from './chunks-by-chat';

const msg = (id: number, chat: number) =>
  ({ update_id: id, message: { message_id: id, date: 0, chat: { id: chat, type: 'private' }, text: 'x' } }) as Update;

describe('chunksByChat', () => {
  it('keeps every chat whole and in order within one chunk, and cuts chunks near the size', () => {
    const updates = [msg(1, 10), msg(2, 20), msg(3, 10), msg(4, 30), msg(5, 20), msg(6, 40), msg(7, 10), msg(8, 50)];
    const chunks = chunksByChat(updates, 3);
    expect(
      chunks
        .flat()
        .map((u) => u.update_id)
        .sort((a, b) => a - b),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const chatOf = (u: Update) => (u as { message: { chat: { id: number } } }).message.chat.id;
    for (const chat of [10, 20, 30, 40, 50]) {
      const holding = chunks.filter((c) => c.some((u) => chatOf(u) === chat));
      expect(holding).toHaveLength(1);
      const ids = holding[0].filter((u) => chatOf(u) === chat).map((u) => u.update_id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    expect(chunks[0].map((u) => u.update_id)).toEqual([1, 3, 7]);
    expect(chunksByChat([msg(1, 1)], 8)).toEqual([[msg(1, 1)]]);
  });
});
