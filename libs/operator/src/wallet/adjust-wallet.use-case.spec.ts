import { Actors, DomainError, ErrorCode, MAX_MINOR } from '@botfleet/common';
import { AdjustWalletUseCase } from './adjust-wallet.use-case';

/**
 * The adjustment's amount is capped in the use case as in the REST body (±MAX_TOP_UP_MINOR = MAX_MINOR), so the
 * master bot's path (any safe integer reaches it) is refused the same way, before anything is read or written.
 */
describe('AdjustWalletUseCase amount cap', () => {
  const untouched = new Proxy(
    {},
    {
      get: () => {
        throw new Error('nothing may be read or written for a refused amount');
      },
    },
  );
  const useCase = new AdjustWalletUseCase(untouched as never, untouched as never, untouched as never);
  const input = (amountMinor: number) => ({
    botId: '0f1e2d3c-0000-4000-8000-000000000003',
    amountMinor,
    note: 'mistyped top-up',
    idempotencyKey: 'k-1',
    actor: Actors.master(),
  });

  it.each([MAX_MINOR + 1, -(MAX_MINOR + 1), Number.MAX_SAFE_INTEGER])(
    'refuses %d with VALIDATION_FAILED naming the amount',
    async (amountMinor) => {
      const err = await useCase.execute(input(amountMinor)).catch((e: unknown) => e);
      expect(DomainError.is(err, ErrorCode.VALIDATION_FAILED)).toBe(true);
      expect((err as DomainError).message).toContain(String(amountMinor));
      expect((err as DomainError).details).toEqual([{ field: 'amountMinor', errors: [expect.any(String)] }]);
    },
  );
});
