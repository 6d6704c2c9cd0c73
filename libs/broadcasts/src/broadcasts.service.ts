import { Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode, Page, pageOf, pageOffset } from '@botfleet/common';
import { AuditService } from '@botfleet/audit';
import { AdminAccessService } from '@botfleet/bots';
import { ConfigurationsService, FeaturesService } from '@botfleet/catalog';
import {
  BotAdminsRepository,
  BotSelfRepository,
  BroadcastButton,
  BroadcastEntity,
  BroadcastRepository,
  TenantDb,
  TenantRepositories,
} from '@botfleet/dal';
import { JobName, JobOutbox, jobIdFor } from '@botfleet/jobs';
import {
  audienceOf,
  BROADCAST_PHOTO_MAX_BYTES,
  BROADCAST_PHOTO_TYPES,
  BroadcastAudience,
  BroadcastContent,
  checkBroadcastContent,
  sniffPhotoType,
} from './broadcast-content';

export interface BroadcastDraftInput extends BroadcastContent {
  audience: BroadcastAudience;
  /** Who gets the preview: one of the bot's admins (bot_admins); the owner when not given. */
  previewTelegramId?: number;
  /** A picture is uploaded next (uploadPhoto): its preview waits for it, and the text is held to a caption. */
  photoUploadFollows?: boolean;
}

export type BroadcastDraftPatch = Partial<BroadcastDraftInput>;

/** Where a broadcast stands (GET …/{id}). */
export interface BroadcastProgress {
  total: number;
  sent: number;
  /** Failed sends, and interrupted ones (a worker died during the send: never sent again). */
  failed: number;
  blocked: number;
  interrupted: number;
  /** Never sent: the broadcast was cancelled or failed first. */
  skipped: number;
  /** Not sent yet (pending or being sent now); 0 once it ended. */
  remaining: number;
  /** Messages per second over the last 30 s. */
  ratePerSecond: number;
  /** Seconds until the rest is sent at that rate; null when nothing moves or nothing is left. */
  etaSeconds: number | null;
}

export interface BroadcastView {
  broadcast: BroadcastEntity;
  audience: BroadcastAudience;
  progress: BroadcastProgress;
}

const RATE_WINDOW_S = 30;

/**
 * A broadcast's progress as the history lists it, from its counters (written as it goes and at its end;
 * `GET …/{id}` counts the deliveries live): nothing remains of a draft or of one that ended.
 */
export function listedProgress(b: BroadcastEntity): BroadcastProgress {
  const live = b.status === 'running' || b.status === 'queued';
  return {
    total: b.total,
    sent: b.sent,
    failed: b.failed,
    blocked: b.blocked,
    interrupted: 0,
    skipped: b.skipped,
    remaining: live ? Math.max(0, b.total - b.sent - b.failed - b.blocked - b.skipped) : 0,
    ratePerSecond: 0,
    etaSeconds: null,
  };
}

/**
 * Broadcasts (issue 14): a draft is checked the way Telegram will check it, previewed to an admin (the
 * worker sends it, BroadcastPreview), started only once previewed — its audience written as deliveries then
 * —, and sent by the worker (SendBroadcast) at the bot's send budget. Any number may run or end side by
 * side: a cancelled or failed one holds nothing the next one needs.
 */
@Injectable()
export class BroadcastsService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly broadcasts: BroadcastRepository,
    private readonly botSelf: BotSelfRepository,
    private readonly admins: BotAdminsRepository,
    private readonly features: FeaturesService,
    private readonly configurations: ConfigurationsService,
    private readonly outbox: JobOutbox,
    private readonly audit: AuditService,
    private readonly access: AdminAccessService,
  ) {}

  /** A new draft; its preview is queued for the admin at once. */
  async create(botId: string, input: BroadcastDraftInput, actor: Actor): Promise<BroadcastView> {
    return (await this.insertDraft(botId, input, actor, null)).view;
  }

  /**
   * A new draft made from a composed message (the bot's `/broadcast` flow), once per `draftKey`: a second call with
   * the same key — a double tap, a concurrent one included, or a retried update — creates nothing and gets the
   * broadcast that exists (`created` false). The key is claimed by the insert itself, so an attempt that fails
   * or dies before its commit leaves nothing behind and the next tap creates the draft.
   */
  async createOnce(
    botId: string,
    draftKey: string,
    input: BroadcastDraftInput,
    actor: Actor,
  ): Promise<{ view: BroadcastView; created: boolean }> {
    return this.insertDraft(botId, input, actor, draftKey);
  }

  private async insertDraft(
    botId: string,
    input: BroadcastDraftInput,
    actor: Actor,
    draftKey: string | null,
  ): Promise<{ view: BroadcastView; created: boolean }> {
    checkBroadcastContent(input, !!input.photoUploadFollows);
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'broadcasts');
      await this.requireFeature(botId);
      await this.assertOfferedLanguage(botId, input.audience);
      const previewTelegramId = await this.previewTarget(botId, input.previewTelegramId);
      const values = {
        text: input.text,
        photo: input.photo ?? null,
        buttons: input.buttons ?? [],
        filter: { ...input.audience },
        photoAwaited: !!input.photoUploadFollows,
        previewTelegramId,
        createdBy: `${actor.type}:${actor.id}`.slice(0, 100),
      };
      let id: string;
      if (draftKey === null) {
        id = (await this.repos.broadcasts.insert(botId, { ...values, status: 'draft' })).id;
      } else {
        const inserted = await this.broadcasts.insertOnce(botId, { ...values, draftKey });
        if (!inserted) {
          const made = await this.broadcasts.findByDraftKey(botId, draftKey);
          if (!made) throw new DomainError(ErrorCode.CONFLICT, 'The draft changed meanwhile; try again');
          return { view: await this.get(botId, made.id), created: false };
        }
        id = inserted;
      }
      if (!input.photoUploadFollows) await this.queuePreview(botId, id, 0);
      await this.audit.record(botId, {
        actor,
        action: 'broadcast.create',
        targetType: 'broadcast',
        targetId: id,
        after: { audience: input.audience, photo: !!input.photo, buttons: (input.buttons ?? []).length },
      });
      return { view: await this.get(botId, id), created: true };
    });
  }

  /** Changes a draft; the earlier preview no longer counts and a new one is queued. */
  async update(botId: string, id: string, patch: BroadcastDraftPatch, actor: Actor): Promise<BroadcastView> {
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'broadcasts');
      const before = await this.find(botId, id);
      if (before.status !== 'draft') throw new DomainError(ErrorCode.CONFLICT, 'Only a draft can be changed');
      const text = patch.text ?? before.text;
      const photo = patch.photo === undefined ? before.photo : patch.photo;
      const buttons: BroadcastButton[] = patch.buttons ?? before.buttons;
      // A photo given (or null) replaces an uploaded picture; a patch without one keeps it.
      const keepsUpload = patch.photo === undefined && before.photoUploadType !== null;
      checkBroadcastContent({ text, photo, buttons }, keepsUpload || !!patch.photoUploadFollows);
      if (patch.audience) await this.assertOfferedLanguage(botId, patch.audience);
      const previewTelegramId =
        patch.previewTelegramId === undefined
          ? before.previewTelegramId
          : await this.previewTarget(botId, patch.previewTelegramId);
      const revision = before.revision + 1;
      const changed = await this.repos.broadcasts.update(
        botId,
        { id, status: 'draft', revision: before.revision },
        {
          text,
          photo,
          buttons,
          filter: { ...(patch.audience ?? audienceOf(before.filter)) },
          previewTelegramId,
          previewedAt: null,
          failure: null,
          revision,
          photoAwaited: !!patch.photoUploadFollows,
          ...(keepsUpload ? {} : { photoUpload: null, photoUploadType: null }),
        },
      );
      if (changed === 0) throw new DomainError(ErrorCode.CONFLICT, 'The draft changed meanwhile; read it again');
      if (!patch.photoUploadFollows) await this.queuePreview(botId, id, revision);
      await this.audit.record(botId, { actor, action: 'broadcast.update', targetType: 'broadcast', targetId: id });
      return this.get(botId, id);
    });
  }

  /**
   * A picture from the shop owner's computer becomes the draft's photo (replacing a `photo` URL or file_id): its
   * bytes wait on the draft until the preview takes them to Telegram, whose file_id the deliveries then use
   * (BroadcastRunsService.photoUploaded). Like any edit, the earlier preview no longer counts.
   */
  async uploadPhoto(
    botId: string,
    id: string,
    upload: { data: Buffer; contentType: string },
    actor: Actor,
  ): Promise<BroadcastView> {
    const type = sniffPhotoType(upload.data);
    if (upload.data.length > BROADCAST_PHOTO_MAX_BYTES) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'photo: too large', [
        { field: 'photo', errors: [`at most ${BROADCAST_PHOTO_MAX_BYTES} bytes`] },
      ]);
    }
    if (!type || type !== upload.contentType) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'photo: not a picture of its declared type', [
        { field: 'photo', errors: [`must be a ${BROADCAST_PHOTO_TYPES.join(', ')} picture`] },
      ]);
    }
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'broadcasts');
      const before = await this.find(botId, id);
      if (before.status !== 'draft') throw new DomainError(ErrorCode.CONFLICT, 'Only a draft can be changed');
      checkBroadcastContent({ text: before.text, photo: null, buttons: before.buttons }, true);
      const revision = before.revision + 1;
      const changed = await this.repos.broadcasts.update(
        botId,
        { id, status: 'draft', revision: before.revision },
        {
          photo: null,
          photoUpload: upload.data,
          photoUploadType: type,
          photoAwaited: false,
          previewedAt: null,
          failure: null,
          revision,
        },
      );
      if (changed === 0) throw new DomainError(ErrorCode.CONFLICT, 'The draft changed meanwhile; read it again');
      await this.queuePreview(botId, id, revision);
      await this.audit.record(botId, {
        actor,
        action: 'broadcast.photo',
        targetType: 'broadcast',
        targetId: id,
        after: { contentType: type, bytes: upload.data.length },
      });
      return this.get(botId, id);
    });
  }

  /** Starts a previewed draft: its audience is written as deliveries and the sending queued. */
  async start(botId: string, id: string, actor: Actor): Promise<BroadcastView> {
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'broadcasts');
      await this.requireFeature(botId);
      const b = await this.find(botId, id);
      if (b.status !== 'draft') throw new DomainError(ErrorCode.CONFLICT, `The broadcast is ${b.status}, not a draft`);
      if (b.photoAwaited) {
        throw new DomainError(
          ErrorCode.CONFLICT,
          'The draft waits for its picture (saved with photoUploadFollows): upload it to POST …/broadcasts/{id}/photo, ' +
            'or save the draft without photoUploadFollows',
          { reason: 'photo_awaited' },
        );
      }
      if (!b.previewedAt) {
        throw new DomainError(
          ErrorCode.CONFLICT,
          b.failure
            ? `The preview could not be sent (${b.failure}); fix it and edit the draft`
            : 'The preview has not reached the admin yet; start it once previewedAt is set',
          { reason: 'not_previewed' },
        );
      }
      const bot = await this.botSelf.get(botId);
      const res = await this.broadcasts.start(botId, id, {
        ...audienceOf(b.filter),
        defaultLanguage: bot?.defaultLanguage ?? 'en',
      });
      if (!res.started) throw new DomainError(ErrorCode.CONFLICT, 'The broadcast changed meanwhile; read it again');
      await this.outbox.add(
        botId,
        JobName.SendBroadcast,
        { botId, broadcastId: id, chunk: 0 },
        jobIdFor(JobName.SendBroadcast, [id, 0]),
      );
      await this.audit.record(botId, {
        actor,
        action: 'broadcast.start',
        targetType: 'broadcast',
        targetId: id,
        after: { total: res.total },
      });
      return this.get(botId, id);
    });
  }

  /**
   * Stops a draft or a running broadcast: nothing more is sent — its pending deliveries are `skipped` at once;
   * the few on their way to Telegram right now may still arrive (their run records it).
   */
  async cancel(botId: string, id: string, actor: Actor): Promise<BroadcastView> {
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'broadcasts');
      const b = await this.find(botId, id);
      if (!(await this.broadcasts.end(botId, id, 'cancelled'))) {
        throw new DomainError(ErrorCode.CONFLICT, `The broadcast is ${b.status} already`);
      }
      await this.audit.record(botId, {
        actor,
        action: 'broadcast.cancel',
        targetType: 'broadcast',
        targetId: id,
        before: { status: b.status },
      });
      return this.get(botId, id);
    });
  }

  async get(botId: string, id: string): Promise<BroadcastView> {
    return this.db.run(botId, async () => {
      const broadcast = await this.find(botId, id);
      const counts = await this.broadcasts.counts(botId, id, RATE_WINDOW_S);
      const remaining = broadcast.status === 'draft' ? 0 : counts.pending + counts.sending;
      const running = broadcast.status === 'running';
      const startedAgoS = broadcast.startedAt ? (Date.now() - broadcast.startedAt.getTime()) / 1000 : 0;
      const window = Math.max(1, Math.min(RATE_WINDOW_S, startedAgoS));
      const ratePerSecond = running ? Math.round((counts.recent / window) * 10) / 10 : 0;
      return {
        broadcast,
        audience: audienceOf(broadcast.filter),
        progress: {
          total: broadcast.total,
          sent: counts.sent,
          failed: counts.failed + counts.interrupted,
          blocked: counts.blocked,
          interrupted: counts.interrupted,
          skipped: counts.skipped,
          remaining,
          ratePerSecond,
          etaSeconds: running && ratePerSecond > 0 && remaining > 0 ? Math.ceil(remaining / ratePerSecond) : null,
        },
      };
    });
  }

  /** The bot's broadcasts, newest first. */
  async list(botId: string, page: number, pageSize: number): Promise<Page<BroadcastEntity>> {
    return this.db.run(botId, async () => {
      const [items, total] = await Promise.all([
        this.repos.broadcasts.find(botId, {
          order: { createdAt: 'DESC', id: 'DESC' },
          skip: pageOffset(page, pageSize),
          take: pageSize,
        }),
        this.repos.broadcasts.count(botId),
      ]);
      return pageOf(items, total, page, pageSize);
    });
  }

  /** How many users the audience holds now (shown with a draft). */
  async audienceSize(botId: string, audience: BroadcastAudience): Promise<number> {
    const bot = await this.botSelf.get(botId);
    return this.broadcasts.countAudience(botId, { ...audience, defaultLanguage: bot?.defaultLanguage ?? 'en' });
  }

  private async find(botId: string, id: string): Promise<BroadcastEntity> {
    const b = await this.repos.broadcasts.findById(botId, id);
    if (!b) throw new DomainError(ErrorCode.NOT_FOUND, 'Broadcast not found');
    return b;
  }

  private async requireFeature(botId: string): Promise<void> {
    if (!(await this.features.isEnabled(botId, 'broadcasts'))) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'Broadcasts are off for this bot');
    }
  }

  /** An audience by language names one the shop speaks (the bot's `languages`): another would reach nobody. */
  private async assertOfferedLanguage(botId: string, audience: BroadcastAudience): Promise<void> {
    if (!audience.language) return;
    const offered: readonly string[] = await this.configurations.get(botId, 'languages');
    if (!offered.includes(audience.language)) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'audience.language: not a language of this shop', [
        { field: 'audience.language', errors: [`must be one of the shop's languages: ${offered.join(', ')}`] },
      ]);
    }
  }

  /** The preview goes to one of the bot's admins: the one named, or the owner. */
  private async previewTarget(botId: string, telegramId: number | undefined): Promise<number> {
    if (telegramId === undefined) {
      const bot = await this.botSelf.get(botId);
      if (!bot) throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
      return bot.ownerTelegramId;
    }
    if (!(await this.admins.find(botId, telegramId))) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'previewTelegramId: not an admin of this bot', [
        { field: 'previewTelegramId', errors: ['must be the Telegram id of one of the bot admins'] },
      ]);
    }
    return telegramId;
  }

  private queuePreview(botId: string, id: string, revision: number): Promise<void> {
    return this.outbox.add(
      botId,
      JobName.BroadcastPreview,
      { botId, broadcastId: id },
      jobIdFor(JobName.BroadcastPreview, [id, revision]),
    );
  }
}
