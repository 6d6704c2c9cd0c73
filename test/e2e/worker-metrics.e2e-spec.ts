import { seriesValue, waitFor } from '@botfleet/testing';
import { BotChat, has } from './support/bot-chat';
import { hostedShop } from './support/hosted-shop';

const PRICE = 300_000;
const FAILED_FOR_GOOD = 'botfleet_jobs_failed_for_good_total';

/**
 * The worker's operational metrics as the scraper sees them: a worker process hosts the bot against the Telegram
 * emulator and provisions on the Remnawave emulator, the API runs in this process; the operator-alerts round
 * (which health-checks the panels) runs every second. Only /metrics over HTTP is read.
 */
describe("the worker's /metrics: panel health and jobs that failed for good", () => {
  jest.setTimeout(120_000);
  const shop = hostedShop({
    remnawaveKey: 'rw-worker-metrics-e2e-key',
    env: { OPERATOR_ALERT_INTERVAL_MS: '1000', PROVISIONING_ATTEMPTS: '2', PROVISIONING_BACKOFF_MS: '300' },
    join: { ownerTelegramId: 940_001 },
    wholesaleWallet: 1_000_000,
    wholesalePrice: { perPlanMinor: 1000, perGbMinor: 0, perDayMinor: 0, unlimitedTrafficGb: 0 },
    arrange: async () => {
      await shop.addPlan({
        name: { en: 'Monthly 10 GB' },
        periodDays: 30,
        priceMinor: PRICE,
        trafficLimitGb: 10,
        deviceLimit: 1,
      });
    },
  });
  /** The panel's `botfleet_panel_up` series (the panel is registered as `rw`). */
  const panelUp = async () => seriesValue(await shop.worker.metrics(), 'botfleet_panel_up', { panel: 'rw' });
  const failedForGood = () => shop.worker.metric(FAILED_FOR_GOOD, { queue: 'provisioning' });

  it('botfleet_panel_up{panel} is 1 while the panel answers, 0 once it is unreachable, and 1 again when it is back', async () => {
    await waitFor(async () => (await panelUp()) === 1, 15_000);
    await shop.rw.down('refuse');
    try {
      await waitFor(async () => (await panelUp()) === 0, 15_000);
    } finally {
      await shop.rw.up();
    }
    await waitFor(async () => (await panelUp()) === 1, 15_000);
  });

  it('a provisioning job that exhausts its attempts adds one to botfleet_jobs_failed_for_good_total{queue="provisioning"}', async () => {
    const chat = new BotChat(shop.emu, shop.tg, { id: 60_501, first_name: 'Buyer', language_code: 'en' });
    await chat.send('/start');
    // The shop credits the buyer's wallet with the plan's price, so the purchase needs no receipt.
    const userId = await shop.userIdOf(chat.user.id);
    await shop.giveBalance(userId, PRICE, `metrics-e2e-${userId}`);
    const before = await failedForGood();
    await shop.rw.down('refuse');
    try {
      const methods = await chat.buy('s:w:');
      const mark = chat.lastId();
      chat.press(methods, 's:w:');
      // Both attempts fail: the price goes back to the buyer's wallet, and the job has failed for good.
      await chat.next(mark, has('returned to your wallet'), 30_000);
      await waitFor(async () => (await failedForGood()) === before + 1, 15_000);
    } finally {
      await shop.rw.up();
    }
    // Once: nothing else of that job is counted later.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await failedForGood()).toBe(before + 1);
  });
});
