import { paymentResultPage } from './payment-result.page';

describe('the payment result page', () => {
  it('speaks the buyer language, right to left for Persian, and links back to the bot', () => {
    const fa = paymentResultPage('paid', 'fa', 'shop_bot');
    expect(fa).toContain('lang="fa" dir="rtl"');
    expect(fa).toContain('data-result="paid"');
    expect(fa).toContain('href="https://t.me/shop_bot"');
    for (const lang of ['en', 'ru'] as const)
      expect(paymentResultPage('failed', lang, 'shop_bot')).toContain('dir="ltr"');
  });

  it('never puts a username that is not one into the link', () => {
    for (const bad of ['"><script>alert(1)</script>', 'evil.com/x', 'ab', '', null]) {
      const html = paymentResultPage('pending', 'en', bad);
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('href=');
    }
  });

  it('has a text for every outcome in every language', () => {
    for (const lang of ['fa', 'en', 'ru'] as const) {
      for (const kind of ['paid', 'paidWallet', 'failed', 'pending', 'refunded', 'unknown'] as const) {
        const html = paymentResultPage(kind, lang);
        expect(html).toMatch(new RegExp(`data-result="${kind}">[^<]{10,}</p>`));
      }
    }
  });
});
