import { AdminCallbacks, parseAdminCallback } from './admin-callbacks';

const ID = '0b9f6a4e-6a3c-4a8e-9d2b-3c1f0e7a5b21';
const DRAFT = 'AbCdEfGhIjKlMnOp';

describe('the /admin callback data', () => {
  it('every button we make parses back to what it says, within 64 bytes', () => {
    const made: [string, unknown][] = [
      [AdminCallbacks.home(), { kind: 'home' }],
      [AdminCallbacks.dashboard(), { kind: 'dashboard' }],
      [AdminCallbacks.receipts(3), { kind: 'receipts', n: 3 }],
      [AdminCallbacks.approveAsk(ID), { kind: 'approveAsk', paymentId: ID }],
      [AdminCallbacks.approve(ID), { kind: 'approve', paymentId: ID }],
      [AdminCallbacks.reject(ID, 2), { kind: 'reject', paymentId: ID, preset: 2 }],
      [AdminCallbacks.user(ID), { kind: 'user', userId: ID }],
      [AdminCallbacks.lookupPage(2), { kind: 'lookupPage', page: 2 }],
      [AdminCallbacks.block(ID, true), { kind: 'block', userId: ID, blocked: true }],
      [AdminCallbacks.blockAsk(ID, false), { kind: 'blockAsk', userId: ID, blocked: false }],
      [AdminCallbacks.adjust(DRAFT), { kind: 'adjust', draft: DRAFT }],
      [AdminCallbacks.refundAsk(ID), { kind: 'refundAsk', orderId: ID }],
      [AdminCallbacks.refund(ID, 'wallet'), { kind: 'refund', orderId: ID, to: 'wallet' }],
      [AdminCallbacks.refund(ID, 'offline'), { kind: 'refund', orderId: ID, to: 'offline' }],
      [AdminCallbacks.price(ID, 1_000_000_000_000_000), { kind: 'price', planId: ID, priceMinor: 1e15 }],
      [AdminCallbacks.planToggle(ID, false), { kind: 'planToggle', planId: ID, on: false }],
      [AdminCallbacks.cardToggle(ID, true), { kind: 'cardToggle', cardId: ID, on: true }],
      [AdminCallbacks.textAsk('support', 'fa'), { kind: 'textAsk', text: 'support', lang: 'fa' }],
      [AdminCallbacks.textSave(DRAFT), { kind: 'textSave', draft: DRAFT }],
      [AdminCallbacks.broadcasts(), { kind: 'broadcasts' }],
      [AdminCallbacks.broadcastNew(), { kind: 'broadcastNew' }],
      [AdminCallbacks.broadcastAudience(DRAFT, 'all'), { kind: 'broadcastAudience', draft: DRAFT, segment: 'all' }],
      [
        AdminCallbacks.broadcastAudience(DRAFT, 'active'),
        { kind: 'broadcastAudience', draft: DRAFT, segment: 'active' },
      ],
      [
        AdminCallbacks.broadcastAudience(DRAFT, 'expired'),
        { kind: 'broadcastAudience', draft: DRAFT, segment: 'expired' },
      ],
      [
        AdminCallbacks.broadcastAudience(DRAFT, 'never_bought'),
        { kind: 'broadcastAudience', draft: DRAFT, segment: 'never_bought' },
      ],
      [AdminCallbacks.broadcastLanguages(DRAFT), { kind: 'broadcastLanguages', draft: DRAFT }],
      [AdminCallbacks.broadcastSegments(DRAFT), { kind: 'broadcastSegments', draft: DRAFT }],
      [AdminCallbacks.broadcastLanguage(DRAFT, 'fa'), { kind: 'broadcastLanguage', draft: DRAFT, language: 'fa' }],
      [AdminCallbacks.broadcastLanguage(DRAFT, 'ru'), { kind: 'broadcastLanguage', draft: DRAFT, language: 'ru' }],
      [AdminCallbacks.broadcast(ID), { kind: 'broadcast', broadcastId: ID }],
      [AdminCallbacks.broadcastStart(ID), { kind: 'broadcastStart', broadcastId: ID }],
      [AdminCallbacks.broadcastCancel(ID), { kind: 'broadcastCancel', broadcastId: ID }],
      [AdminCallbacks.tickets(2), { kind: 'tickets', page: 2 }],
      [AdminCallbacks.ticket(ID), { kind: 'ticket', ticketId: ID }],
      [AdminCallbacks.ticketAnswerAsk(ID), { kind: 'ticketAnswerAsk', ticketId: ID }],
      [AdminCallbacks.ticketCloseAsk(ID), { kind: 'ticketCloseAsk', ticketId: ID }],
      [AdminCallbacks.ticketClose(ID), { kind: 'ticketClose', ticketId: ID }],
    ];
    for (const [data, parsed] of made) {
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect({ data, parsed: parseAdminCallback(data) }).toEqual({ data, parsed });
    }
  });

  it.each([
    undefined,
    '',
    'ad:',
    'ad:h:1',
    'ad:x',
    'ad:r:0',
    'ad:r:-1',
    'ad:r:10000',
    'ad:r:1e3',
    'ad:rA:not-a-uuid',
    'ad:rA:AAAAAAAAAAAAAAAAAAAAAA:extra',
    'ad:rJ:CwufakpjSo6dKzwfDnpbIQ:10',
    'ad:uB:CwufakpjSo6dKzwfDnpbIQ:2',
    'ad:uA:short',
    'ad:uA:AbCdEfGhIjKlMnOp!',
    'ad:pP:CwufakpjSo6dKzwfDnpbIQ:0',
    'ad:pP:CwufakpjSo6dKzwfDnpbIQ:99999999999999999',
    'ad:pP:CwufakpjSo6dKzwfDnpbIQ:-5',
    'ad:te:w:de',
    'ad:te:x:en',
    'ad:b:1',
    'ad:bn:x',
    'ad:ba:AbCdEfGhIjKlMnOp',
    'ad:ba:AbCdEfGhIjKlMnOp:x',
    'ad:ba:AbCdEfGhIjKlMnOp:all',
    'ad:ba:short:a',
    'ad:bl:AbCdEfGhIjKlMnOp:fa',
    'ad:bL:AbCdEfGhIjKlMnOp',
    'ad:bL:AbCdEfGhIjKlMnOp:de',
    'ad:bL:AbCdEfGhIjKlMnOp:FA',
    'ad:bL:short:fa',
    'ad:bA:AbCdEfGhIjKlMnOp:a',
    'ad:bs:not-a-uuid',
    'ad:bs:CwufakpjSo6dKzwfDnpbIQ:1',
    'ad:bx:',
    'ad:or:CwufakpjSo6dKzwfDnpbIQ:w',
    'ad:oR:CwufakpjSo6dKzwfDnpbIQ',
    'ad:oR:CwufakpjSo6dKzwfDnpbIQ:x',
    'ad:oR:not-a-uuid:w',
    'rv:a:CwufakpjSo6dKzwfDnpbIQ',
    `ad:d${'x'.repeat(70)}`,
  ])('refuses %p', (data) => {
    expect(parseAdminCallback(data)).toBeNull();
  });
});
