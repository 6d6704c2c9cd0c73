import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Actor, DomainError, ErrorCode, isUuid } from '@botfleet/common';
import { VpnPanelEntity } from '@botfleet/dal';
import { PlatformDb, VpnPanelsRepository, VpnPanelValues } from '@botfleet/platform';
import { parsePanelConfig, PanelConfig, PanelType } from '@botfleet/provisioning';
import { SecretBox } from '@botfleet/secrets';
import { OperatorAuditService } from '../operator-audit.service';

export interface PanelView {
  id: string;
  name: string;
  type: PanelType;
  baseUrl: string;
  /** Credentials are stored encrypted and never returned; this only says they are set. */
  hasCredentials: boolean;
  settings: Record<string, unknown>;
  location: string | null;
  capacity: number;
  activeUsers: number;
  isActive: boolean;
  lastHealthAt: string | null;
  lastHealthOk: boolean | null;
  createdAt: string;
  updatedAt: string;
}

export interface PanelInput {
  name: string;
  type: PanelType;
  baseUrl: string;
  credentials: Record<string, unknown>;
  settings?: Record<string, unknown>;
  location?: string | null;
  capacity?: number;
  isActive?: boolean;
}

export type PanelPatch = Partial<PanelInput>;

const notFound = () => new DomainError(ErrorCode.NOT_FOUND, 'Panel not found');

function toView(p: VpnPanelEntity): PanelView {
  return {
    id: p.id,
    name: p.name,
    type: p.type,
    baseUrl: p.baseUrl,
    hasCredentials: Boolean(p.credentialsCiphertext),
    settings: p.settings ?? {},
    location: p.location,
    capacity: p.capacity,
    activeUsers: p.activeUsers,
    isActive: p.isActive,
    lastHealthAt: p.lastHealthAt?.toISOString() ?? null,
    lastHealthOk: p.lastHealthOk,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

/** What the audit log may see of a panel: no credentials, not even whether they changed value. */
function auditView(p: PanelView): Record<string, unknown> {
  const { name, type, baseUrl, settings, location, capacity, isActive } = p;
  return { name, type, baseUrl, settings, location, capacity, isActive };
}

/**
 * The operator's registry of VPN panels (platform table). Credentials are validated for the panel
 * type with the same parser the adapters use, then encrypted with the panel id as associated data.
 */
@Injectable()
export class PanelsRegistryService {
  constructor(
    private readonly platform: PlatformDb,
    private readonly panels: VpnPanelsRepository,
    private readonly box: SecretBox,
    private readonly audit: OperatorAuditService,
  ) {}

  async list(): Promise<PanelView[]> {
    const rows = await this.panels.list();
    return rows.map(toView);
  }

  async get(id: string): Promise<PanelView> {
    return toView(await this.load(id));
  }

  /** The decrypted configuration an adapter needs (never for an HTTP response). */
  async config(id: string): Promise<PanelConfig> {
    const p = await this.load(id);
    return this.parse(p.id, p.type, p.baseUrl, this.decrypt(p), p.settings);
  }

  async create(input: PanelInput, actor: Actor): Promise<PanelView> {
    const id = randomUUID();
    const config = this.parse(id, input.type, input.baseUrl, input.credentials, input.settings ?? {});
    return this.platform.transaction(async (m) => {
      const view = toView(
        await this.panels.insert(m, {
          id,
          name: input.name,
          type: input.type,
          baseUrl: input.baseUrl,
          credentialsCiphertext: this.box.encrypt(JSON.stringify(config.credentials), id),
          credentialsKeyVersion: this.box.currentVersion,
          settings: input.settings ?? {},
          location: input.location ?? null,
          capacity: input.capacity ?? 1000,
          isActive: input.isActive ?? true,
        } as VpnPanelValues & { id: string }),
      );
      await this.audit.operator(m, actor, {
        action: 'panel.created',
        targetType: 'vpn_panel',
        targetId: id,
        after: auditView(view),
      });
      return view;
    });
  }

  async update(id: string, patch: PanelPatch, actor: Actor): Promise<PanelView> {
    if (!isUuid(id)) throw notFound();
    return this.platform.transaction(async (m) => {
      const current = await this.panels.lock(m, id);
      if (!current) throw notFound();
      const type = patch.type ?? current.type;
      const baseUrl = patch.baseUrl ?? current.baseUrl;
      const settings = patch.settings ?? current.settings;
      const credentials = patch.credentials ?? this.decrypt(current);
      const config = this.parse(id, type, baseUrl, credentials, settings);
      const changes: Partial<VpnPanelEntity> = {};
      if (patch.name !== undefined) changes.name = patch.name;
      if (patch.type !== undefined) changes.type = patch.type;
      if (patch.baseUrl !== undefined) changes.baseUrl = patch.baseUrl;
      if (patch.settings !== undefined) changes.settings = patch.settings;
      if (patch.location !== undefined) changes.location = patch.location;
      if (patch.capacity !== undefined) changes.capacity = patch.capacity;
      if (patch.isActive !== undefined) changes.isActive = patch.isActive;
      if (patch.credentials !== undefined) {
        changes.credentialsCiphertext = this.box.encrypt(JSON.stringify(config.credentials), id);
        changes.credentialsKeyVersion = this.box.currentVersion;
      }
      if (!Object.keys(changes).length) return toView(current);
      const view = toView(await this.panels.update(m, id, changes as VpnPanelValues));
      await this.audit.operator(m, actor, {
        action: 'panel.updated',
        targetType: 'vpn_panel',
        targetId: id,
        before: auditView(toView(current)),
        // Whether new credentials were given (never their values); named so the audit filter of secrets keeps it.
        after: { ...auditView(view), accessReplaced: patch.credentials !== undefined },
      });
      return view;
    });
  }

  /**
   * Pauses a panel: provisioning no longer chooses it for new subscriptions (choosePanel picks only active
   * panels, a plan pinned to it falls back to another); what it already serves keeps working. Idempotent.
   */
  pause(id: string, actor: Actor): Promise<PanelView> {
    return this.update(id, { isActive: false }, actor);
  }

  /** Lets provisioning choose the panel again. Idempotent. */
  resume(id: string, actor: Actor): Promise<PanelView> {
    return this.update(id, { isActive: true }, actor);
  }

  private async load(id: string): Promise<VpnPanelEntity> {
    if (!isUuid(id)) throw notFound();
    const p = await this.panels.find(id);
    if (!p) throw notFound();
    return p;
  }

  private decrypt(p: VpnPanelEntity): Record<string, unknown> {
    return JSON.parse(this.box.decrypt(p.credentialsCiphertext, p.id)) as Record<string, unknown>;
  }

  /** Validates the whole configuration; problems become a 400 naming each field, values never echoed. */
  private parse(
    id: string,
    type: string,
    baseUrl: string,
    credentials: Record<string, unknown>,
    settings: Record<string, unknown>,
  ): PanelConfig {
    try {
      return parsePanelConfig({ id, type, baseUrl, credentials, settings });
    } catch (err) {
      if (!DomainError.is(err, ErrorCode.VALIDATION_FAILED)) throw err;
      const problems = ((err.details as { problems?: string[] })?.problems ?? []).map((p) => ({
        field: p.split(' ')[0],
        errors: [p],
      }));
      throw new DomainError(
        ErrorCode.VALIDATION_FAILED,
        `Invalid panel: ${problems.map((p) => p.field).join(', ')}`,
        problems,
      );
    }
  }
}
