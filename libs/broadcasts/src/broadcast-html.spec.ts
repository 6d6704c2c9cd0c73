import { DomainError, ErrorCode } from '@botfleet/common';
import { checkTelegramHtml as telegramParses, HOSTILE_CASES } from '@botfleet/testing';
import { checkBroadcastContent } from './broadcast-content';
import { checkTelegramHtml } from './broadcast-html';

/** The domain's check of a broadcast's HTML against what Telegram (the emulator's parser) accepts. */
describe('broadcast HTML subset', () => {
  it('accepts the subset and shows the text as Telegram does', () => {
    const html =
      '<b>Bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins> <s>s</s> <strike>t</strike> ' +
      '<del>d</del> <span class="tg-spoiler">sp</span> <tg-spoiler>x</tg-spoiler> ' +
      '<a href="https://example.com/?a=1&amp;b=2">link</a> <a href="tg://resolve?domain=shop">tg</a> ' +
      '<code>c</code> <pre><code class="language-ts">let a = 1 &lt; 2;</code></pre> ' +
      '<blockquote expandable>q</blockquote> &lt;&gt;&amp;&quot;&#39;&#x41;';
    const res = checkTelegramHtml(html);
    expect(res.problem).toBeUndefined();
    expect(res.shown).toContain('let a = 1 < 2;');
    expect(res.shown.endsWith('<>&"\'A')).toBe(true);
    expect(telegramParses(html)).toBe(res.shown.trim());
  });

  it.each([
    ['<b>open', 'never closed'],
    ['</b>', 'closes nothing'],
    ['<b><i>x</b></i>', 'closes <i>'],
    ['<div>x</div>', 'not supported'],
    ['<span>x</span>', 'tg-spoiler'],
    ['<a href="javascript:alert(1)">x</a>', 'href'],
    ['<a href="https://a.example"><a href="https://b.example">x</a></a>', 'inside another link'],
    ['<code><b>x</b></code>', 'inside <code>'],
    ['<b onclick="x">y</b>', 'attribute onclick'],
    ['1 < 2', 'does not start a tag'],
    ['2 > 1', '&gt;'],
    ['fish & chips', '&amp;'],
    ['&nbsp;', '&amp;'],
  ])('refuses %j (%s)', (html, problem) => {
    expect(checkTelegramHtml(html).problem).toContain(problem);
  });

  it.each(HOSTILE_CASES)(
    'a text that is %s is refused with a reason, or Telegram takes it as checked',
    (_n, hostile) => {
      for (const text of [hostile, `<b>${hostile}</b>`]) {
        let refused: unknown = null;
        try {
          checkBroadcastContent({ text });
        } catch (err) {
          refused = err;
        }
        if (refused) {
          expect(refused).toBeInstanceOf(DomainError);
          expect((refused as DomainError).code).toBe(ErrorCode.VALIDATION_FAILED);
        } else {
          expect(() => telegramParses(text)).not.toThrow();
        }
      }
    },
  );

  it('counts what users see against the limits: 4,096 for a message, 1,024 under a photo', () => {
    const long = `<b>${'x'.repeat(4_096)}</b>`;
    expect(() => checkBroadcastContent({ text: long })).not.toThrow();
    expect(() => checkBroadcastContent({ text: `${long}y` })).toThrow(/4096/);
    expect(() => checkBroadcastContent({ text: 'x'.repeat(1_025), photo: 'https://example.com/p.jpg' })).toThrow(
      /1024/,
    );
  });
});
