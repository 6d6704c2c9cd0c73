import { TelegramError } from 'telegraf';
import { adminChatUnreachable } from './admin-chat-unreachable';

const answer = (error_code: number, description: string) => new TelegramError({ error_code, description });

describe('adminChatUnreachable', () => {
  it('names why Telegram refused the admin chat', () => {
    expect(adminChatUnreachable(answer(400, 'Bad Request: chat not found'))).toBe('chatNotFound');
    expect(adminChatUnreachable(answer(403, 'Forbidden: bot was kicked from the supergroup chat'))).toBe('botRemoved');
    expect(adminChatUnreachable(answer(403, 'Forbidden: bot is not a member of the supergroup chat'))).toBe(
      'botRemoved',
    );
    expect(adminChatUnreachable(answer(400, 'Bad Request: not enough rights to send photos to the chat'))).toBe(
      'noRights',
    );
    expect(adminChatUnreachable(answer(400, 'Bad Request: TOPIC_CLOSED'))).toBe('topicClosed');
    expect(adminChatUnreachable(answer(400, 'Bad Request: message thread not found'))).toBe('topicClosed');
  });

  it('leaves passing faults and other mistakes to the retries', () => {
    expect(adminChatUnreachable(answer(429, 'Too Many Requests: retry after 5'))).toBeNull();
    expect(adminChatUnreachable(answer(502, 'Bad Gateway'))).toBeNull();
    expect(adminChatUnreachable(answer(400, "Bad Request: can't parse entities"))).toBeNull();
    expect(adminChatUnreachable(new Error('socket hang up'))).toBeNull();
  });
});
