import { Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Pager } from './Pager';

export interface DataTableProps<T extends { id: string }> {
  items: readonly T[];
  /** Narrower than this, the table scrolls sideways (phones). */
  minWidth: number;
  /** The column headers; a `false` one (a column this user may not see) is left out. */
  head: (ReactNode | false)[];
  /** The cells of an item's row. */
  row: (item: T) => ReactNode;
  /** What shows instead of an empty table (the common "empty" by default). */
  empty?: ReactNode;
  /** Tighter rows (lists with row actions). */
  compact?: boolean;
  /** A test id on every row. */
  rowTestId?: string;
}

/** A list as a striped table, a row per item (keyed by id), or a note when it is empty. */
export function DataTable<T extends { id: string }>({
  items,
  minWidth,
  head,
  row,
  empty,
  compact,
  rowTestId,
}: DataTableProps<T>) {
  const { t } = useTranslation();
  if (items.length === 0) return <Text c="dimmed">{empty ?? t('common:empty')}</Text>;
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table striped highlightOnHover {...(compact ? { verticalSpacing: 'xs' } : {})}>
        <Table.Thead>
          <Table.Tr>
            {head
              .filter((h) => h !== false)
              .map((h, i) => (
                <Table.Th key={i}>{h}</Table.Th>
              ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={item.id} data-testid={rowTestId}>
              {row(item)}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** One page of a `{ items, total, page, pageSize }` list (API.md). */
export interface ListPage<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** A page of a list as a DataTable with its Pager under it (no pager when the page is empty). */
export function PagedTable<T extends { id: string }>({
  data,
  onPage,
  ...table
}: Omit<DataTableProps<T>, 'items'> & { data: ListPage<T>; onPage: (page: number) => void }) {
  if (data.items.length === 0) return <DataTable items={data.items} {...table} />;
  return (
    <>
      <DataTable items={data.items} {...table} />
      <Pager total={data.total} page={data.page} pageSize={data.pageSize} onChange={onPage} />
    </>
  );
}
