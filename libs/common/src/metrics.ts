import { collectDefaultMetrics, Counter, Histogram, register } from 'prom-client';

let started = false;

/** Default process metrics, labelled with the app name; idempotent. */
export function startDefaultMetrics(app: string): void {
  if (started) return;
  started = true;
  register.setDefaultLabels({ app });
  collectDefaultMetrics();
}

export const httpRequestDuration = new Histogram({
  name: 'botfleet_http_request_duration_seconds',
  help: 'HTTP request duration by route and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

export const telegramUpdatesHandled = new Counter({
  name: 'botfleet_telegram_updates_total',
  help: 'Telegram updates handled, by outcome',
  labelNames: ['outcome'],
});
