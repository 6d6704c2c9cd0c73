/** One page of a list, as every list endpoint and screen returns it. */
export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
}

export function pageOf<T>(items: T[], total: number, page: number, pageSize: number): Page<T> {
  return { items, total, page, pageSize };
}

/** The row offset of a 1-based page. */
export const pageOffset = (page: number, pageSize: number): number => (Math.max(1, page) - 1) * pageSize;
