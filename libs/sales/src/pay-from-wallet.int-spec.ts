import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Actors, ErrorCode } from '@botfleet/common';
import { AuditModule } from '@botfleet/audit';
import { ConfigModule } from '@botfleet/config';
import { DalModule } from '@botfleet/dal';
import { JobsModule } from '@botfleet/jobs';
import { applyEnv, createTestEnv, TestContext, TestEnv } from '@botfleet/testing';
import { SalesModule } from './sales.module';
import { ApproveReceiptUseCase } from './use-cases/approve-receipt.use-case';
import { CreateOrderUseCase } from './use-cases/create-order.use-case';
import { PayFromWalletUseCase } from './use-cases/pay-from-wallet.use-case';
import { StartCardPaymentUseCase } from './use-cases/start-card-payment.use-case';
import { SubmitReceiptUseCase } from './use-cases/submit-receipt.use-case';

const OWNER_TG = 778;

describe('paying from the wallet while a receipt is under review (real PostgreSQL and Redis)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let restore: () => void;
  let mod: TestingModule;
  let platform: DataSource;

  beforeAll(async () => {
    env = await createTestEnv();
    restore = applyEnv(env.vars);
    mod = await Test.createTestingModule({
      imports: [ConfigModule, DalModule, JobsModule, AuditModule, SalesModule],
    }).compile();
    await mod.init();
    platform = await env.db.platform();
    ctx = await TestContext.create({ env });
  });

  afterAll(async () => {
    await ctx?.close();
    await mod?.close();
    restore?.();
    await env?.cleanup();
  });

  it('is refused: the review decides, and its approval still goes through', async () => {
    const botId = (await ctx.newBot({ ownerTelegramId: OWNER_TG, walletMinor: 200000 })).id;
    await ctx.setWholesalePrice(botId, { perPlanMinor: 1000, perGbMinor: 100 });
    const plan = { name: { en: 'Month' }, periodDays: 30, priceMinor: 50000, trafficLimitGb: 50, deviceLimit: 2 };
    const planId = (await ctx.newPlan(botId, plan)).id;
    await ctx.newCard(botId, { cardNumber: '6037990000000006', cardHolderName: 'Ali' });
    const userId = (await ctx.newUser(botId)).id;
    await ctx.deposit(botId, userId, 60000);

    const { order } = await mod
      .get(CreateOrderUseCase)
      .execute({ botId, userId, planId, idempotencyKey: `r:${userId}` });
    const { payment } = await mod.get(StartCardPaymentUseCase).execute({ botId, orderId: order.id, by: { userId } });
    await mod.get(SubmitReceiptUseCase).execute({
      botId,
      userId,
      receipt: { kind: 'photo', fileId: 'RW1', fileUniqueId: `RW-${userId}` },
    });

    await expect(
      mod.get(PayFromWalletUseCase).execute({ botId, orderId: order.id, by: { userId } }),
    ).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
    const balance = await platform.query(`SELECT balance_minor::int b FROM users WHERE id = $1`, [userId]);
    expect(balance).toEqual([{ b: 60000 }]);

    const approved = await mod
      .get(ApproveReceiptUseCase)
      .execute({ botId, paymentId: payment.id, actor: Actors.botAdmin(OWNER_TG) });
    expect(approved.status).toBe('approved');
    const status = await platform.query(`SELECT status FROM orders WHERE id = $1`, [order.id]);
    expect(status).toEqual([{ status: 'fulfilling' }]);
  });
});
