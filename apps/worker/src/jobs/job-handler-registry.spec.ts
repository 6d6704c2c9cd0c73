import { JobName } from '@botfleet/jobs';
import { validateJobHandlers } from './job-handler-registry';

const one = (where: string) => [{ where }];
const everyJobHandled = () => new Map(Object.values(JobName).map((name) => [name, one(`Handlers.${name}`)]));

describe('validateJobHandlers', () => {
  it('accepts exactly one handler per job and at most one final-failure hook', () => {
    const hooks = new Map([[JobName.SaleNotification, one('Sale.notifyFailed')]]);
    expect(validateJobHandlers(everyJobHandled(), hooks)).toEqual([]);
  });

  it('names every job without a handler', () => {
    const handlers = everyJobHandled();
    handlers.delete(JobName.NotifyOwner);
    handlers.delete(JobName.SweepSales);
    expect(validateJobHandlers(handlers, new Map())).toEqual([
      `no @OnJob handler for job "${JobName.SweepSales}"`,
      `no @OnJob handler for job "${JobName.NotifyOwner}"`,
    ]);
  });

  it('names both places of a job with two handlers, or two final-failure hooks', () => {
    const handlers = everyJobHandled();
    handlers.set(JobName.SaleNotification, [{ where: 'A.notify' }, { where: 'B.notify' }]);
    const hooks = new Map([[JobName.ProvisionSubscription, [{ where: 'A.failed' }, { where: 'B.failed' }]]]);
    expect(validateJobHandlers(handlers, hooks)).toEqual([
      `job "${JobName.ProvisionSubscription}" has 2 final-failure hooks (A.failed, B.failed)`,
      `job "${JobName.SaleNotification}" has 2 handlers (A.notify, B.notify)`,
    ]);
  });

  it('refuses a handler for a job name that does not exist', () => {
    const handlers = new Map<string, { where: string }[]>(everyJobHandled());
    handlers.set('expire-card-payments', one('Old.expire'));
    expect(validateJobHandlers(handlers as Map<JobName, { where: string }[]>, new Map())).toEqual([
      'Old.expire names a job that does not exist: "expire-card-payments"',
    ]);
  });
});
