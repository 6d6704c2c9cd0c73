import { Actors } from '@botfleet/common';
import { TestContext } from '@botfleet/testing';
import { ConfigurationsService } from './configurations.service';

/** One language of a per-language text saved while another language of it is saved too (the bot and the console). */
describe('ConfigurationsService.setTranslation (PostgreSQL)', () => {
  let ctx: TestContext;
  let configurations: ConfigurationsService;

  beforeAll(async () => {
    ctx = await TestContext.create();
    configurations = ctx.get(ConfigurationsService);
  });

  afterAll(async () => {
    await ctx?.close();
  });

  it('keeps every language when several are saved at the same moment', async () => {
    for (let round = 0; round < 5; round++) {
      const bot = await ctx.newBot();
      const actor = Actors.tenantApi(bot.id);
      await Promise.all([
        configurations.setTranslation(bot.id, 'welcome_text', 'en', `Hello ${round}`, actor),
        configurations.setTranslation(bot.id, 'welcome_text', 'fa', `سلام ${round}`, actor),
        configurations.setTranslation(bot.id, 'welcome_text', 'ru', `Привет ${round}`, actor),
      ]);
      expect(await configurations.get(bot.id, 'welcome_text')).toMatchObject({
        en: `Hello ${round}`,
        fa: `سلام ${round}`,
        ru: `Привет ${round}`,
      });
    }
  });
});
