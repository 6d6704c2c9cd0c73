import type { LedgerEntryView } from '@botfleet/billing';

const COLUMNS = [
  'createdAt',
  'type',
  'amountMinor',
  'balanceAfterMinor',
  'heldAfterMinor',
  'currency',
  'reference',
  'note',
  'createdBy',
  'id',
] as const satisfies readonly (keyof LedgerEntryView)[];

/**
 * One CSV cell (RFC 4180 quoting). Text a spreadsheet would run as a formula (= + - @, tab, CR at the start) gets
 * a leading apostrophe: a note is free text and the file is opened in Excel.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The wholesale ledger as CSV: a header row, then one row per entry in the order given, CRLF line ends. */
export function ledgerCsv(entries: LedgerEntryView[]): string {
  const lines = [COLUMNS.join(',')];
  for (const e of entries) lines.push(COLUMNS.map((c) => csvCell(e[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Whether the client asked for CSV (`Accept: text/csv`) rather than the JSON page. */
export function wantsCsv(accept: string | undefined): boolean {
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(accept ?? '');
}
