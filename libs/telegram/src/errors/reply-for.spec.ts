import { ErrorCode } from '@botfleet/common';
import { LANGUAGES } from '@botfleet/catalog';
import { TEXTS } from '../i18n/texts';
import { replyFor } from './reply-for';

describe('replyFor', () => {
  const codes = Object.values(ErrorCode);

  it.each(LANGUAGES)('gives every error code a text in %s', (lang) => {
    const missing = codes.filter((code) => !TEXTS[lang][replyFor(code)]?.trim());
    expect(missing).toEqual([]);
  });

  it('answers with the catalogue, never with the domain message', () => {
    expect(replyFor(ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE)).toBe('buy.shopCannotSell');
    expect(replyFor(ErrorCode.NOT_FOUND)).toBe('common.unavailable');
  });

  it('a situation may name a more precise text for some codes, the rest keep theirs', () => {
    const receipt = { [ErrorCode.NOT_FOUND]: 'receipt.none' } as const;
    expect(replyFor(ErrorCode.NOT_FOUND, receipt)).toBe('receipt.none');
    expect(replyFor(ErrorCode.CONFLICT, receipt)).toBe('error.conflict');
  });
});
