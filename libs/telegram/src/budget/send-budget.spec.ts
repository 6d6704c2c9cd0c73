import { addsToChat, budgetKeys, countsAsMessage, isPrivateChat } from './send-budget';

describe('send budget rules', () => {
  it('counts what Telegram counts as messages: sends, edits, copies and forwards, not chat actions or answers', () => {
    for (const m of ['sendMessage', 'sendPhoto', 'sendInvoice', 'editMessageText', 'copyMessage', 'forwardMessages'])
      expect(countsAsMessage(m)).toBe(true);
    for (const m of ['sendChatAction', 'answerCallbackQuery', 'getUpdates', 'getMe', 'deleteMessage', 'setWebhook'])
      expect(countsAsMessage(m)).toBe(false);
  });

  it("holds new messages to their chat's bucket, but not edits (a busy admin group's buttons edit all the time)", () => {
    expect(addsToChat('sendMessage')).toBe(true);
    expect(addsToChat('copyMessage')).toBe(true);
    expect(addsToChat('editMessageText')).toBe(false);
    expect(addsToChat('editMessageReplyMarkup')).toBe(false);
    expect(addsToChat('answerCallbackQuery')).toBe(false);
  });

  it('names keys under the prefix with the bot id as the hash tag, and tells private chats from groups', () => {
    expect(budgetKeys('bf', 'b1', -100)).toEqual({
      bucket: 'bf:budget:{b1}',
      pause: 'bf:budget:{b1}:pause',
      chat: 'bf:budget:{b1}:chat:-100',
    });
    expect(budgetKeys('bf', 'b1').chat).toBeUndefined();
    expect(isPrivateChat(42)).toBe(true);
    expect(isPrivateChat(-100123)).toBe(false);
    expect(isPrivateChat('@channel')).toBe(false);
  });
});
