import { BotEntity } from '@botfleet/dal';

export type BotStatus = BotEntity['status'];

/** A bot as the API shows it: never the Telegram token, its hash, or the API token hash. */
export interface BotView {
  id: string;
  name: string;
  telegramUsername: string;
  telegramBotId: number;
  status: BotStatus;
  isMaster: boolean;
  ownerTelegramId: number;
  defaultLanguage: 'fa' | 'en' | 'ru';
  currency: string;
  supportUsername: string | null;
  adminChatId: number | null;
  adminTopicId: number | null;
  cardReceiptTopicId: number | null;
  notificationGroupId: number | null;
  notificationTopicId: number | null;
  walletBalanceMinor: number;
  walletHeldMinor: number;
  apiTokenPrefix: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toBotView(b: BotEntity): BotView {
  return {
    id: b.id,
    name: b.name,
    telegramUsername: b.telegramUsername,
    telegramBotId: b.telegramBotId,
    status: b.status,
    isMaster: b.isMaster,
    ownerTelegramId: b.ownerTelegramId,
    defaultLanguage: b.defaultLanguage,
    currency: b.currency,
    supportUsername: b.supportUsername,
    adminChatId: b.adminChatId,
    adminTopicId: b.adminTopicId,
    cardReceiptTopicId: b.cardReceiptTopicId,
    notificationGroupId: b.notificationGroupId,
    notificationTopicId: b.notificationTopicId,
    walletBalanceMinor: b.walletBalanceMinor,
    walletHeldMinor: b.walletHeldMinor,
    apiTokenPrefix: b.apiTokenPrefix,
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
  };
}

/** The settings a PATCH may change (API.md). */
export const BOT_SETTING_FIELDS = [
  'name',
  'defaultLanguage',
  'currency',
  'supportUsername',
  'adminChatId',
  'adminTopicId',
  'cardReceiptTopicId',
  'notificationGroupId',
  'notificationTopicId',
] as const;
export type BotSettingField = (typeof BOT_SETTING_FIELDS)[number];
export type BotSettingsPatch = Partial<Pick<BotEntity, BotSettingField>> & { status?: 'active' | 'paused' };
