import { AppProcess, spawnApp } from './app-process';
import { freePort, waitForHttp } from './free-port';

export interface WorkerProcess extends AppProcess {
  port: number;
  /** The worker's Prometheus text (/metrics). */
  metrics(): Promise<string>;
  /** The value of one counter or gauge (summed over labels matching `labels`). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

/** The series of `name` in Prometheus text, in order: each one's labels as written (`{…}`, or '') and value. */
function seriesOf(text: string, name: string): { labels: string; value: number }[] {
  const found: { labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+([0-9.eE+-]+)$/.exec(line);
    if (m && m[1] === name) found.push({ labels: m[2] ?? '', value: Number(m[3]) });
  }
  return found;
}

const hasLabels = (series: { labels: string }, labels: Record<string, string>) =>
  Object.entries(labels).every(([k, v]) => series.labels.includes(`${k}="${v}"`));

/** One metric from Prometheus text, summed over the series whose labels include `labels`. */
export function readMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  return seriesOf(text, name)
    .filter((s) => hasLabels(s, labels))
    .reduce((sum, s) => sum + s.value, 0);
}

/**
 * The value of the first series of `name` whose labels include `labels`, or undefined when there is none: a gauge
 * at 0 is not the same as a gauge that is missing (readMetric sums, so it cannot tell them apart).
 */
export function seriesValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  return seriesOf(text, name).find((s) => hasLabels(s, labels))?.value;
}

/**
 * A worker process (from `dist/`) with its HTTP port (health, metrics) on a free port; resolves once it
 * answers /health/live, i.e. it has booted and its supervisor runs.
 */
export async function spawnWorker(
  vars: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<WorkerProcess> {
  const port = await freePort();
  const proc = spawnApp('worker', { ...vars, ...extra, WORKER_HTTP_PORT: String(port) });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/health/live`, 30_000);
  } catch (e) {
    await proc.kill();
    throw new Error(`${(e as Error).message}\n${proc.output().slice(-3000)}`);
  }
  // With METRICS_TOKEN set (always needed in production), /metrics wants it as a bearer token.
  const token = extra.METRICS_TOKEN ?? vars.METRICS_TOKEN;
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`, { headers })).text();
  return {
    ...proc,
    port,
    metrics,
    async metric(name, labels = {}) {
      return readMetric(await metrics(), name, labels);
    },
  };
}
