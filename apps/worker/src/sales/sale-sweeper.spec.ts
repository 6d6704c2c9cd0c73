import { SaleSweeper } from './sale-sweeper.service';

describe('SaleSweeper', () => {
  it("one step's lookup failing does not stop the later steps (a stuck fulfilment still ends)", async () => {
    const down = () => Promise.reject(new Error('canceling statement due to statement timeout'));
    const sweeps = {
      botsWithDuePayments: jest.fn(down),
      botsWithOverdueOrders: jest.fn(down),
      botsWithReviewsWaiting: jest.fn(down),
      stuckFulfilments: jest.fn().mockResolvedValue([{ botId: 'b1', orderId: 'o1' }]),
      unfinishedTakeBacks: jest.fn().mockResolvedValue([{ botId: 'b1', orderId: 'o2', subscriptionId: 's1' }]),
    };
    const takeBacks = { requeue: jest.fn().mockResolvedValue('requeued') };
    const stuck = { finish: jest.fn().mockResolvedValue('requeued') };
    const relay = { relayStale: jest.fn().mockResolvedValue(0) };
    const config = {
      OUTBOX_RELAY_AFTER_MS: 60_000,
      ORDER_PAYMENT_TIMEOUT_MINUTES: 30,
      FULFILMENT_STUCK_AFTER_MS: 60_000,
    };
    const sweeper = new SaleSweeper(
      config as never,
      sweeps as never,
      {} as never,
      {} as never,
      {} as never,
      stuck as never,
      relay as never,
      takeBacks as never,
    );
    const report = await sweeper.sweepAt(new Date());
    expect(stuck.finish).toHaveBeenCalledWith('b1', 'o1');
    expect(report.requeued).toBe(1);
    expect(takeBacks.requeue).toHaveBeenCalledWith('b1', 's1', 'o2');
    expect(report.takeBacksRequeued).toBe(1);
  });
});
