import { Counter, Gauge } from 'prom-client';

/** Bot hosting metrics, exposed by the worker's /metrics (updates handled/duplicates: botfleet_telegram_updates_total). */
export const botsRunning = new Gauge({
  name: 'botfleet_bots_running',
  help: 'Bots this worker holds the lease of and runs (polls, or keeps the webhook of)',
});

/** Every worker sees the whole set: `max(botfleet_bots_desired) - sum(botfleet_bots_running)` is bots nobody runs. */
export const botsDesired = new Gauge({
  name: 'botfleet_bots_desired',
  help: 'Bots that should be running (active, with a valid token), as this worker last read them',
});

export const botLeaseTakeovers = new Counter({
  name: 'botfleet_bot_lease_takeovers_total',
  help: 'Leases taken over from a worker that stopped renewing them (crashed or cut off)',
});

export const botLeaseLost = new Counter({
  name: 'botfleet_bot_lease_lost_total',
  help: 'Leases this worker lost, by reason',
  labelNames: ['reason'],
});

export const botLeaseReleased = new Counter({
  name: 'botfleet_bot_lease_released_total',
  help: 'Leases given up on purpose (bot stopped, rebalancing, shutdown)',
});

export const telegramApiTrouble = new Counter({
  name: 'botfleet_telegram_api_trouble_total',
  help: 'Bot API answers that needed handling: 429 waits, 5xx/network retries, 401, 409',
  labelNames: ['kind'],
});

export const workerInfo = new Gauge({
  name: 'botfleet_worker_info',
  help: 'This worker process, by the id it uses for leases and heartbeats',
  labelNames: ['worker_id'],
});
