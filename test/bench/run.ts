import 'reflect-metadata';
import { repoRoot } from '@botfleet/testing';
import { BENCHMARKS } from './registry';
import { formatTable, writeResults } from './results';
import type { StoredReport } from './types';

/**
 * `npm run bench [-- B6 …]`: builds, then runs the chosen benchmarks (all by default) one after
 * another against the real apps, prints a table and writes bench/results.json.
 */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2).map((a) => a.toUpperCase());
  const unknown = wanted.filter((w) => !BENCHMARKS.some((b) => b.id === w));
  if (unknown.length)
    throw new Error(`Unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.id).join(', ')}`);
  const chosen = wanted.length ? BENCHMARKS.filter((b) => wanted.includes(b.id)) : BENCHMARKS;
  const reports: StoredReport[] = [];
  let failed = false;
  for (const bench of chosen) {
    const started = Date.now();
    const log = (m: string) =>
      process.stderr.write(`[${bench.id} +${((Date.now() - started) / 1000).toFixed(1)}s] ${m}\n`);
    log(bench.title);
    try {
      const report = await bench.run({ log });
      reports.push({
        id: bench.id,
        title: bench.title,
        ranAt: new Date(started).toISOString(),
        durationS: Math.round((Date.now() - started) / 100) / 10,
        ...report,
      });
    } catch (err) {
      failed = true;
      process.stderr.write(
        `[${bench.id}] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
    }
  }
  if (reports.length) {
    process.stdout.write(`\n${formatTable(reports)}\n\n`);
    for (const r of reports) for (const n of r.notes ?? []) process.stdout.write(`${r.id}: ${n}\n`);
    process.stdout.write(`\nwritten: ${writeResults(repoRoot(), reports)}\n`);
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
