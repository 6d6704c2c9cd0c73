import { Group, Select, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { DayRange, dayStart } from './shared';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The customer filter: a user id, kept in the address (a customer's card links to orders with it). */
function useUserFilter(): [string, (v: string) => void, string | undefined] {
  const [params, setParams] = useSearchParams();
  const userId = params.get('userId') ?? '';
  const set = (v: string) =>
    setParams(
      (p) => {
        if (v) p.set('userId', v);
        else p.delete('userId');
        return p;
      },
      { replace: true },
    );
  return [userId, set, UUID.test(userId.trim()) ? userId.trim() : undefined];
}

/** What the filters ask the API for: only the ones set (`to` is exclusive, so the whole last day counts). */
export interface SalesFilterValues {
  status?: string;
  method?: string;
  userId?: string;
  from?: string;
  to?: string;
}

/**
 * The filters orders and payments share — status, method, customer, days — as a bar to show and the values to
 * ask for; any change goes back to the first page.
 */
export function useSalesFilters(
  statuses: readonly string[],
  methods: readonly string[],
): { page: number; setPage: (p: number) => void; values: SalesFilterValues; bar: ReactNode } {
  const { t } = useTranslation('sales');
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<string | null>(null);
  const [method, setMethod] = useState<string | null>(null);
  const [range, setRange] = useState({ from: '', to: '' });
  const [userText, setUserText, userId] = useUserFilter();
  const reset =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      setPage(1);
      set(v);
    };
  const values: SalesFilterValues = {
    ...(status ? { status } : {}),
    ...(method ? { method } : {}),
    ...(userId ? { userId } : {}),
    ...(range.from ? { from: dayStart(range.from) } : {}),
    ...(range.to ? { to: dayStart(range.to, 1) } : {}),
  };
  const bar = (
    <Group gap="xs" wrap="wrap" align="end">
      <Select
        size="sm"
        label={t('common:status')}
        placeholder={t('common:all')}
        clearable
        data={statuses.map((s) => ({ value: s, label: t(`st_${s}`) }))}
        value={status}
        onChange={reset(setStatus)}
        w={170}
      />
      <Select
        size="sm"
        label={t('method')}
        placeholder={t('common:all')}
        clearable
        data={methods.map((m) => ({ value: m, label: t(`m_${m}`) }))}
        value={method}
        onChange={reset(setMethod)}
        w={170}
      />
      <TextInput
        size="sm"
        label={t('customer_id')}
        placeholder="uuid"
        value={userText}
        onChange={(e) => reset(setUserText)(e.currentTarget.value)}
        error={userText && !userId ? t('bad_user_id') : undefined}
        w={320}
        maw="100%"
      />
      <DayRange from={range.from} to={range.to} onChange={reset(setRange)} />
    </Group>
  );
  return { page, setPage, values, bar };
}
