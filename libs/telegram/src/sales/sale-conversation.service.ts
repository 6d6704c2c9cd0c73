import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { PaymentHandler } from '../payments/payment.handler';
import { StarsHandler } from '../payments/stars.handler';
import { SalePurchaseHandler } from './sale-purchase.handler';
import { SaleReceiptHandler } from './sale-receipt.handler';
import { SaleReviewHandler } from './sale-review.handler';

/**
 * The sale in the bot (PRODUCT.md C8), as the composition mounts it: the purchase and the receipt in
 * private chats, the admins' review in any chat. The handlers are thin: every step calls a use case
 * or a query of libs/sales, the one the REST API calls too, and every refusal is told through
 * `replyFor` in the catalogue's words.
 */
@Injectable()
export class SaleConversation {
  /** Purchase and receipts, for private chats. */
  readonly privateChat: Routes;
  /** Receipt review callbacks and typed rejection reasons, for any chat. */
  readonly review: Routes;
  /** Telegram Stars checkout updates (pre_checkout_query has no chat), before the private-chat composer. */
  readonly checkout: Routes;

  constructor(
    purchase: SalePurchaseHandler,
    payment: PaymentHandler,
    receipt: SaleReceiptHandler,
    review: SaleReviewHandler,
    stars: StarsHandler,
  ) {
    this.privateChat = new Routes(purchase.composer, payment.composer, receipt.composer);
    this.review = review.composer;
    this.checkout = stars.composer;
  }
}
