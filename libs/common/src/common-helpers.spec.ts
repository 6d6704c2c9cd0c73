import { Actors, describeError, DomainError, ErrorCode, isUuid, pageOf, pageOffset } from './index';

describe('common helpers', () => {
  it('isUuid accepts canonical UUIDs only', () => {
    expect(isUuid('0b6f7c1e-9a1d-4c3e-8f00-1234567890ab')).toBe(true);
    expect(isUuid('0B6F7C1E-9A1D-4C3E-8F00-1234567890AB')).toBe(true);
    expect(isUuid('------------------------------------')).toBe(false);
    expect(isUuid('0b6f7c1e9a1d4c3e8f001234567890ab')).toBe(false);
    expect(isUuid(42)).toBe(false);
    expect(isUuid(undefined)).toBe(false);
  });

  it('describeError names the error, keeps its code and scrubs secrets', () => {
    const err = new DomainError(ErrorCode.NOT_FOUND, 'no such plan');
    expect(describeError(err)).toBe('DomainError: no such plan [NOT_FOUND]');
    const net = Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' });
    expect(describeError(net)).toBe('Error: connect refused [ECONNREFUSED]');
    expect(describeError(new Error('bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw failed'))).not.toContain('AAHdq');
    expect(describeError('plain')).toBe('plain');
  });

  it('actors and pages', () => {
    expect(Actors.botAdmin(42, '@x')).toEqual({ type: 'bot_admin', id: '42', label: '@x' });
    expect(Actors.master().type).toBe('master');
    expect(pageOf([1, 2], 5, 2, 2)).toEqual({ items: [1, 2], total: 5, page: 2, pageSize: 2 });
    expect(pageOffset(3, 20)).toBe(40);
    expect(pageOffset(0, 20)).toBe(0);
  });
});
