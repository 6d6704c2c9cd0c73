/**
 * A benchmark of BENCHMARKS.md. Each one measures its figure and a baseline in the same run
 * (timings on a shared machine are noisy; the ratio is what means something) and returns rows
 * for the printed table and bench/results.json.
 */
export interface Benchmark {
  /** B1 … B8, as in BENCHMARKS.md. */
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchReport>;
}

export interface BenchContext {
  /** Print a progress line (stderr, so the table on stdout stays clean). */
  log(message: string): void;
}

export interface BenchRow {
  /** What was measured, e.g. "GET /plans req/s". */
  figure: string;
  unit: string;
  value: number;
  /** The same figure for the baseline of BENCHMARKS.md, measured in the same run. */
  baseline?: number;
  /** value / baseline when that ratio is meaningful. */
  ratio?: number;
  /** The target from BENCHMARKS.md, as text ("≥ 2000"). */
  target?: string;
  /** Whether `value` meets the target (undefined: no target). */
  ok?: boolean;
}

export interface BenchReport {
  rows: BenchRow[];
  /** How it was measured: load, data set, what the baseline is. */
  setup: Record<string, unknown>;
  notes?: string[];
}

/** A report as stored in bench/results.json. */
export interface StoredReport extends BenchReport {
  id: string;
  title: string;
  ranAt: string;
  durationS: number;
}
