import { DomainError, ErrorCode } from '@botfleet/common';

import type { PanelHealth, PanelType } from './panel.port';

/** Where an error came from; goes into `DomainError.details`. Never carries credentials or bodies we sent. */
export interface PanelErrorContext {
  panelId: string;
  panelType: PanelType;
  operation: string;
}

export function panelError(
  code: ErrorCode,
  ctx: PanelErrorContext,
  message: string,
  extra: Record<string, unknown> = {},
): DomainError {
  return new DomainError(code, `${ctx.panelType} panel ${ctx.panelId}: ${ctx.operation}: ${message}`, {
    panelId: ctx.panelId,
    panelType: ctx.panelType,
    operation: ctx.operation,
    ...extra,
  });
}

/**
 * The default reading of an HTTP status the adapter did not handle more specifically: 5xx, 408 and 429
 * are the panel's trouble and worth a retry, 401/403 mean our credentials, any other status is the panel
 * refusing what we sent. 404 and 409 are not read here: only the adapter knows whether a 404 means "no
 * such user" or "no such endpoint".
 */
export function errorForStatus(ctx: PanelErrorContext, status: number, panelMessage?: string): DomainError {
  const extra = { status, ...(panelMessage ? { panelMessage: panelMessage.slice(0, 300) } : {}) };
  if (status >= 500 || status === 429 || status === 408) {
    return panelError(ErrorCode.PANEL_UNAVAILABLE, ctx, `panel answered HTTP ${status}`, extra);
  }
  if (status === 401 || status === 403) {
    return panelError(ErrorCode.PANEL_AUTH_FAILED, ctx, `panel refused our credentials (HTTP ${status})`, extra);
  }
  return panelError(ErrorCode.PANEL_REJECTED, ctx, `panel rejected the request (HTTP ${status})`, extra);
}

export function unexpectedResponse(ctx: PanelErrorContext, what: string): DomainError {
  return panelError(ErrorCode.PANEL_REJECTED, ctx, `unexpected response: ${what}`);
}

/** Health checks report instead of throwing, so a dashboard can list every panel's state. */
export function healthFailure(err: unknown, startedAt: number): PanelHealth {
  const latencyMs = Date.now() - startedAt;
  if (DomainError.is(err)) return { ok: false, latencyMs, code: err.code, message: err.message };
  return { ok: false, latencyMs, code: ErrorCode.PANEL_UNAVAILABLE, message: 'health check failed unexpectedly' };
}
