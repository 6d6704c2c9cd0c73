/**
 * The behaviour every panel adapter owes the provisioning jobs, run against each adapter and its emulator
 * over real HTTP on loopback. Call `describePanelAdapterContract` from a `*.spec.ts` file.
 */
import { randomUUID } from 'node:crypto';

import { DomainError, ErrorCode } from '@botfleet/common';

import { panelUsername } from './panel-username';
import type { PanelAdapter, PanelType, PanelUserSpec } from './panel.port';
import { PanelSessionStore } from './panel-session.store';

/** The emulator controls the suite needs (libs/testing/src/panels emulators satisfy it). */
export interface ContractEmulator {
  readonly url: string;
  start(): Promise<string>;
  stop(): Promise<void>;
  down(mode?: 'refuse' | '503'): Promise<void>;
  up(): Promise<void>;
  slow(ms: number): void;
  fail5xxNext(count: number, status?: number): void;
  dropNextCreateResponse(): void;
  expireAuthNow(): void;
  readonly logins: number;
  calls(endpoint: string): number;
  totalCalls(): number;
  resetCounters(): void;
  accounts(): ContractAccount[];
  account(username: string): ContractAccount | undefined;
  seedAccount(seed: {
    username: string;
    expireAt?: Date | null;
    trafficLimitBytes?: number;
    deviceLimit?: number;
    enabled?: boolean;
  }): ContractAccount;
  setUsedTraffic(username: string, bytes: number): void;
}

export interface ContractAccount {
  username: string;
  externalId: string;
  enabled: boolean;
  expireAt: Date | null;
  trafficLimitBytes: number;
  usedTrafficBytes: number;
  deviceLimit: number | null;
  telegramId: number | null;
  note: string | null;
  subscriptionUrl: string;
}

export interface AdapterOverrides {
  sessions: PanelSessionStore;
  wrongCredentials?: boolean;
  timeoutMs?: number;
}

export interface PanelContractHarness<E extends ContractEmulator = ContractEmulator> {
  type: PanelType;
  /** `apiKey`: static key, nothing to log in to (Remnawave). `login`: token or cookie from a login. */
  auth: 'apiKey' | 'login';
  /** The secret the wrong-credentials adapter uses, to prove it never shows up in errors. */
  wrongSecret: string;
  /** Whether the panel stores a device limit / telegram id (Marzban has neither). */
  supportsDeviceLimit: boolean;
  supportsTelegramId: boolean;
  createEmulator(): E;
  createAdapter(emulator: E, overrides: AdapterOverrides): PanelAdapter;
  /** Paths whose call count proves "one request, no retry loop" (the user read endpoint). */
  userReadEndpoint: string;
}

const GiB = 1024 ** 3;
const DAY = 86_400_000;

export function describePanelAdapterContract<E extends ContractEmulator>(harness: PanelContractHarness<E>): void {
  describe(`${harness.type} adapter contract`, () => {
    let emulator: E;
    let sessions: PanelSessionStore;
    let adapter: PanelAdapter;

    const make = (overrides: Partial<AdapterOverrides> = {}) =>
      harness.createAdapter(emulator, { sessions: overrides.sessions ?? sessions, ...overrides });
    const newUsername = () => panelUsername(randomUUID(), harness.type);
    const spec = (overrides: Partial<PanelUserSpec> = {}): PanelUserSpec => ({
      username: newUsername(),
      // Whole seconds: Marzban keeps unix seconds.
      expireAt: new Date(Math.floor((Date.now() + 30 * DAY) / 1000) * 1000),
      trafficLimitBytes: 50 * GiB,
      deviceLimit: 3,
      telegramId: 123_456_789,
      note: 'order 42',
      ...overrides,
    });
    const accountsNamed = (username: string) => emulator.accounts().filter((a) => a.username === username);

    beforeEach(async () => {
      emulator = harness.createEmulator();
      await emulator.start();
      sessions = new PanelSessionStore();
      adapter = make();
    });

    afterEach(async () => {
      await emulator.stop();
    });

    it('creates a user and reads back its link, limits and expiry', async () => {
      const wanted = spec();
      const created = await adapter.upsertUser(wanted);
      const read = await adapter.getUser(wanted.username);

      for (const user of [created, read]) {
        expect(user.username).toBe(wanted.username);
        expect(user.status).toBe('active');
        expect(user.trafficLimitBytes).toBe(wanted.trafficLimitBytes);
        expect(user.expireAt?.getTime()).toBe(wanted.expireAt.getTime());
        expect(user.usedTrafficBytes).toBe(0);
        expect(user.deviceLimit).toBe(harness.supportsDeviceLimit ? 3 : null);
      }
      const [account] = accountsNamed(wanted.username);
      expect(accountsNamed(wanted.username)).toHaveLength(1);
      expect(account.enabled).toBe(true);
      expect(account.trafficLimitBytes).toBe(wanted.trafficLimitBytes);
      expect(account.expireAt?.getTime()).toBe(wanted.expireAt.getTime());
      expect(account.note).toBe('order 42');
      if (harness.supportsDeviceLimit) expect(account.deviceLimit).toBe(3);
      if (harness.supportsTelegramId) expect(account.telegramId).toBe(123_456_789);
      // The link is absolute and is the panel's own link for this account: a client app can fetch it.
      expect(read.subscriptionUrl).toMatch(/^https?:\/\//);
      expect(read.subscriptionUrl).toBe(account.subscriptionUrl);
      expect(created.subscriptionUrl).toBe(read.subscriptionUrl);
      const subscription = await fetch(read.subscriptionUrl);
      expect(subscription.status).toBe(200);
    });

    it('reports used traffic, and a user over its limit as limited', async () => {
      const wanted = spec({ trafficLimitBytes: 10 * GiB });
      await adapter.upsertUser(wanted);

      emulator.setUsedTraffic(wanted.username, 3 * GiB);
      const partly = await adapter.getUser(wanted.username);
      expect(partly.usedTrafficBytes).toBe(3 * GiB);
      expect(partly.status).toBe('active');

      emulator.setUsedTraffic(wanted.username, 10 * GiB);
      const spent = await adapter.getUser(wanted.username);
      expect(spent.usedTrafficBytes).toBe(10 * GiB);
      expect(spent.status).toBe('limited');
    });

    it('extends expiry and limits of the same account', async () => {
      const wanted = spec();
      const created = await adapter.upsertUser(wanted);
      const expireAt = new Date(wanted.expireAt.getTime() + 30 * DAY);

      const extended = await adapter.extendUser(wanted.username, {
        expireAt,
        trafficLimitBytes: 100 * GiB,
        deviceLimit: 5,
      });

      expect(extended.expireAt?.getTime()).toBe(expireAt.getTime());
      expect(extended.trafficLimitBytes).toBe(100 * GiB);
      expect(extended.externalId).toBe(created.externalId);
      expect(extended.subscriptionUrl).toBe(created.subscriptionUrl);
      const [account] = accountsNamed(wanted.username);
      expect(accountsNamed(wanted.username)).toHaveLength(1);
      expect(account.expireAt?.getTime()).toBe(expireAt.getTime());
      expect(account.trafficLimitBytes).toBe(100 * GiB);
      if (harness.supportsDeviceLimit) expect(account.deviceLimit).toBe(5);
    });

    it('makes an expired user active again when extended', async () => {
      const username = newUsername();
      emulator.seedAccount({ username, expireAt: new Date(Date.now() - DAY), trafficLimitBytes: 10 * GiB });
      expect((await adapter.getUser(username)).status).toBe('expired');

      const renewed = await adapter.extendUser(username, { expireAt: new Date(Date.now() + 30 * DAY) });

      expect(renewed.status).toBe('active');
      expect(emulator.account(username)?.enabled).toBe(true);
    });

    it('disables and enables a user, idempotently', async () => {
      const wanted = spec();
      await adapter.upsertUser(wanted);

      await adapter.setEnabled(wanted.username, false);
      await adapter.setEnabled(wanted.username, false);
      expect((await adapter.getUser(wanted.username)).status).toBe('disabled');
      expect(emulator.account(wanted.username)?.enabled).toBe(false);

      await adapter.setEnabled(wanted.username, true);
      await adapter.setEnabled(wanted.username, true);
      expect((await adapter.getUser(wanted.username)).status).toBe('active');
      expect(emulator.account(wanted.username)?.enabled).toBe(true);
    });

    it('keeps an explicitly disabled user disabled when extended', async () => {
      const wanted = spec();
      await adapter.upsertUser(wanted);
      await adapter.setEnabled(wanted.username, false);

      const extended = await adapter.extendUser(wanted.username, { expireAt: new Date(Date.now() + 60 * DAY) });

      expect(extended.status).toBe('disabled');
    });

    it('deletes a user, after which it is not found', async () => {
      const wanted = spec();
      await adapter.upsertUser(wanted);

      await adapter.deleteUser(wanted.username);

      expect(emulator.account(wanted.username)).toBeUndefined();
      await expectCode(adapter.getUser(wanted.username), ErrorCode.PANEL_USER_NOT_FOUND);
      await expectCode(adapter.deleteUser(wanted.username), ErrorCode.PANEL_USER_NOT_FOUND);
    });

    it('answers PANEL_USER_NOT_FOUND for a user the panel does not have, creating nothing', async () => {
      const username = newUsername();
      await expectCode(adapter.getUser(username), ErrorCode.PANEL_USER_NOT_FOUND);
      await expectCode(
        adapter.extendUser(username, { expireAt: new Date(Date.now() + DAY) }),
        ErrorCode.PANEL_USER_NOT_FOUND,
      );
      await expectCode(adapter.setEnabled(username, false), ErrorCode.PANEL_USER_NOT_FOUND);
      await expectCode(adapter.deleteUser(username), ErrorCode.PANEL_USER_NOT_FOUND);
      expect(emulator.accounts()).toHaveLength(0);
    });

    it('answers PANEL_AUTH_FAILED for wrong credentials and never shows them', async () => {
      const wrong = make({ wrongCredentials: true });
      const wanted = spec();

      const err = await expectCode(wrong.upsertUser(wanted), ErrorCode.PANEL_AUTH_FAILED);
      await expectCode(wrong.getUser(wanted.username), ErrorCode.PANEL_AUTH_FAILED);
      const health = await wrong.healthCheck();

      expect(health).toMatchObject({ ok: false, code: ErrorCode.PANEL_AUTH_FAILED });
      expect(emulator.accounts()).toHaveLength(0);
      const shown = `${err.message} ${JSON.stringify(err.details)} ${JSON.stringify(health)}`;
      expect(shown).not.toContain(harness.wrongSecret);
    });

    if (harness.auth === 'login') {
      it('logs in again by itself when the session expires', async () => {
        const wanted = spec();
        await adapter.upsertUser(wanted);
        expect(emulator.logins).toBe(1);

        emulator.expireAuthNow();
        const read = await adapter.getUser(wanted.username);

        expect(read.username).toBe(wanted.username);
        expect(emulator.logins).toBe(2);
      });

      it('shares one login between concurrent calls after the session expired', async () => {
        const wanted = spec();
        await adapter.upsertUser(wanted);
        emulator.expireAuthNow();
        const loginsBefore = emulator.logins;

        const reads = await Promise.all(Array.from({ length: 10 }, () => make().getUser(wanted.username)));

        expect(reads.every((r) => r.username === wanted.username)).toBe(true);
        expect(emulator.logins - loginsBefore).toBe(1);
      });

      it('shares one login between concurrent first calls', async () => {
        const username = newUsername();
        const results = await Promise.allSettled(Array.from({ length: 10 }, () => make().getUser(username)));

        expect(
          results.every((r) => r.status === 'rejected' && DomainError.is(r.reason, ErrorCode.PANEL_USER_NOT_FOUND)),
        ).toBe(true);
        expect(emulator.logins).toBe(1);
      });
    } else {
      it('answers PANEL_AUTH_FAILED once the API key is revoked, without retrying', async () => {
        const wanted = spec();
        await adapter.upsertUser(wanted);
        emulator.expireAuthNow();
        emulator.resetCounters();

        await expectCode(adapter.getUser(wanted.username), ErrorCode.PANEL_AUTH_FAILED);

        expect(emulator.calls(harness.userReadEndpoint)).toBe(1);
        expect(emulator.totalCalls()).toBe(1);
        expect(emulator.logins).toBe(0);
      });
    }

    it('adopts the existing account when upserting twice, updating it to the second spec', async () => {
      const first = spec();
      const created = await adapter.upsertUser(first);
      const second = spec({
        username: first.username,
        expireAt: new Date(first.expireAt.getTime() + 10 * DAY),
        trafficLimitBytes: 80 * GiB,
        deviceLimit: 4,
      });

      const adopted = await adapter.upsertUser(second);

      expect(accountsNamed(first.username)).toHaveLength(1);
      expect(adopted.externalId).toBe(created.externalId);
      expect(adopted.trafficLimitBytes).toBe(80 * GiB);
      expect(adopted.expireAt?.getTime()).toBe(second.expireAt.getTime());
      const [account] = accountsNamed(first.username);
      expect(account.trafficLimitBytes).toBe(80 * GiB);
      if (harness.supportsDeviceLimit) expect(account.deviceLimit).toBe(4);
    });

    it('adopts a disabled account left by a crashed attempt and brings it to the spec', async () => {
      const wanted = spec();
      const seeded = emulator.seedAccount({
        username: wanted.username,
        expireAt: new Date(Date.now() + DAY),
        trafficLimitBytes: GiB,
        enabled: false,
      });

      const adopted = await adapter.upsertUser(wanted);

      expect(accountsNamed(wanted.username)).toHaveLength(1);
      expect(adopted.status).toBe('active');
      expect(adopted.trafficLimitBytes).toBe(wanted.trafficLimitBytes);
      expect(adopted.expireAt?.getTime()).toBe(wanted.expireAt.getTime());
      expect(emulator.account(wanted.username)?.externalId).toBe(seeded.externalId);
      expect(emulator.account(wanted.username)?.enabled).toBe(true);
    });

    it('adopts on retry an account whose create answer was lost', async () => {
      const wanted = spec();
      emulator.dropNextCreateResponse();

      await expectCode(adapter.upsertUser(wanted), ErrorCode.PANEL_UNAVAILABLE);
      expect(accountsNamed(wanted.username)).toHaveLength(1);

      const retried = await adapter.upsertUser(wanted);

      expect(retried.status).toBe('active');
      expect(accountsNamed(wanted.username)).toHaveLength(1);
    });

    it('makes exactly one account from 20 concurrent upserts of one username', async () => {
      const wanted = spec();

      const results = await Promise.all(Array.from({ length: 20 }, () => make().upsertUser(wanted)));

      expect(accountsNamed(wanted.username)).toHaveLength(1);
      expect(emulator.accounts()).toHaveLength(1);
      expect(new Set(results.map((r) => r.subscriptionUrl)).size).toBe(1);
      expect(new Set(results.map((r) => r.externalId)).size).toBe(1);
      expect(results.every((r) => r.status === 'active')).toBe(true);
    });

    it('answers PANEL_UNAVAILABLE while the panel refuses connections, and recovers', async () => {
      const wanted = spec();
      await adapter.upsertUser(wanted);

      await emulator.down('refuse');
      await expectCode(adapter.getUser(wanted.username), ErrorCode.PANEL_UNAVAILABLE);
      expect(await adapter.healthCheck()).toMatchObject({ ok: false, code: ErrorCode.PANEL_UNAVAILABLE });

      await emulator.up();
      expect((await adapter.getUser(wanted.username)).username).toBe(wanted.username);
      expect(await adapter.healthCheck()).toMatchObject({ ok: true });
    });

    it('answers PANEL_UNAVAILABLE for 503 and other 5xx answers', async () => {
      const wanted = spec();
      await adapter.upsertUser(wanted);

      await emulator.down('503');
      await expectCode(adapter.getUser(wanted.username), ErrorCode.PANEL_UNAVAILABLE);
      await emulator.up();

      emulator.fail5xxNext(1, 502);
      await expectCode(adapter.upsertUser(spec()), ErrorCode.PANEL_UNAVAILABLE);
      expect(emulator.accounts()).toHaveLength(1);
      expect((await adapter.getUser(wanted.username)).username).toBe(wanted.username);
    });

    it('gives up on a slow panel at the timeout with PANEL_UNAVAILABLE', async () => {
      const wanted = spec();
      await adapter.upsertUser(wanted);
      const impatient = make({ timeoutMs: 200 });
      emulator.slow(2_000);

      const started = Date.now();
      await expectCode(impatient.getUser(wanted.username), ErrorCode.PANEL_UNAVAILABLE);

      expect(Date.now() - started).toBeLessThan(1_500);
    });

    it('answers PANEL_REJECTED when the panel refuses the request as invalid', async () => {
      await expectCode(adapter.upsertUser(spec({ username: '' })), ErrorCode.PANEL_REJECTED);
      expect(emulator.accounts()).toHaveLength(0);
    });

    it('reports a healthy panel', async () => {
      const health = await adapter.healthCheck();
      expect(health.ok).toBe(true);
      expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    });
  });
}

/** Awaits a rejection with the given DomainError code and returns the error. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<DomainError> {
  const outcome = await promise.then(
    (value: unknown) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected ${code}, but the call succeeded`);
  const { error } = outcome;
  if (!DomainError.is(error)) throw error;
  expect(error.code).toBe(code);
  return error;
}
