import { adminHomeScreen } from './admin-screens';
import { consoleLinkScreen, ConsoleLinkCallbacks } from './console-link';
import { masterHomeScreen } from '../master/master-screens';

describe('the web console link in the bots', () => {
  it('every admin role and the operator get the "Open the web console" button (wc:o)', () => {
    for (const role of ['owner', 'admin', 'support'] as const) {
      const data = adminHomeScreen('en', 'Shop', role)
        .keyboard!.flat()
        .map((b) => 'callback_data' in b && b.callback_data);
      expect(data).toContain(ConsoleLinkCallbacks.open());
    }
    const master = masterHomeScreen('fa')
      .keyboard!.flat()
      .map((b) => 'callback_data' in b && b.callback_data);
    expect(master).toContain('wc:o');
  });

  it('sends the link as a URL button, or in the text where Telegram would refuse the button (localhost, an IP)', () => {
    const url = 'https://panel.example.com/console/login#code=abc';
    const screen = consoleLinkScreen('en', url, 300);
    expect(screen.text).toContain('5 minutes');
    expect(screen.keyboard).toEqual([[expect.objectContaining({ url })]]);
    for (const local of ['http://localhost:3000/console/login#code=x', 'http://127.0.0.1:3000/console/login#code=x']) {
      const s = consoleLinkScreen('ru', local, 300);
      expect(s.keyboard).toEqual([]);
      expect(s.text).toContain(local);
    }
  });
});
