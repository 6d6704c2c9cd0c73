import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { StoredReport } from './types';

export interface ResultsFile {
  updatedAt: string;
  machine: { cpus: number; cpuModel: string; memoryMb: number; node: string };
  /** The latest report of each benchmark id (running a subset keeps the others). */
  benchmarks: Record<string, StoredReport>;
}

/** bench/results.json at the repository root (found from the working directory or this file). */
export function resultsPath(root: string): string {
  return join(root, 'bench', 'results.json');
}

export function writeResults(root: string, reports: StoredReport[]): string {
  const path = resultsPath(root);
  let previous: ResultsFile | undefined;
  try {
    previous = JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;
  } catch {
    previous = undefined;
  }
  const file: ResultsFile = {
    updatedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(totalmem() / 2 ** 20),
      node: process.version,
    },
    benchmarks: { ...(previous?.benchmarks ?? {}) },
  };
  for (const r of reports) file.benchmarks[r.id] = r;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  return path;
}

function fmt(n: number | undefined, digits = 1): string {
  if (n === undefined || Number.isNaN(n)) return '';
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits);
}

/** The table printed at the end of a run. */
export function formatTable(reports: StoredReport[]): string {
  const header = ['id', 'figure', 'value', 'unit', 'baseline', 'ratio', 'target', 'ok'];
  const lines: string[][] = [header];
  for (const r of reports) {
    for (const row of r.rows) {
      lines.push([
        r.id,
        row.figure,
        fmt(row.value),
        row.unit,
        fmt(row.baseline),
        row.ratio === undefined ? '' : row.ratio.toFixed(2),
        row.target ?? '',
        row.ok === undefined ? '' : row.ok ? 'yes' : 'NO',
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const render = (l: string[]) =>
    l.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [render(lines[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1).map(render)].join('\n');
}
