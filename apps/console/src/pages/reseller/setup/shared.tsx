import { Alert, Box, Button, Group, Modal, Paper, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { api, ApiError, unwrap } from '../../../api/client';
import { ErrorAlert } from '../../../components/Page';

export const LANGS = ['fa', 'en', 'ru'] as const;
export type Lang = (typeof LANGS)[number];
export type Localized = Partial<Record<Lang, string>>;

/** The bot of the page (routes are /bots/:botId/…). */
export function useBotId(): string {
  const { botId } = useParams();
  if (!botId) throw new Error('no botId in the route');
  return botId;
}

/** The bot itself (name, currency, languages …): any admin may read it. */
export function useBot() {
  const botId = useBotId();
  return useQuery({
    queryKey: ['bot', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}', { params: { path: { botId } } })),
  });
}

/** The bot's currency for money in the setup forms (IRR until the bot is loaded). */
export function useBotCurrency(): string {
  return useBot().data?.currency ?? 'IRR';
}

/**
 * A 400's `details` (`[{ field, errors }]`) as one message per field, so each input can show its own; `value.`
 * (the configurations' wrapper) is dropped so `value.en` lands on the `en` field.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.status !== 400 || !Array.isArray(error.details)) return {};
  const out: Record<string, string> = {};
  for (const d of error.details as { field?: unknown; errors?: unknown }[]) {
    if (typeof d.field !== 'string') continue;
    const field = d.field.replace(/^value\.?/, '') || 'value';
    const errors = Array.isArray(d.errors) ? d.errors.join('; ') : String(d.errors ?? '');
    out[field] = out[field] ? `${out[field]}; ${errors}` : errors;
  }
  return out;
}

/** The API's error, unless every problem is already shown on a field. */
export function FormError({ error, shown }: { error: unknown; shown?: Record<string, string> }) {
  if (!error) return null;
  if (shown && Object.keys(shown).length > 0 && error instanceof ApiError && error.status === 400) return null;
  if (error instanceof ApiError && error.status !== 404 && error.status !== 403) {
    return (
      <Alert color="red" role="alert" title={error.code}>
        {error.message}
      </Alert>
    );
  }
  return <ErrorAlert error={error} />;
}

/** A short success note under a form. */
export function SavedNote({ show, children }: { show: boolean; children?: ReactNode }) {
  const { t } = useTranslation();
  if (!show) return null;
  return (
    <Text size="sm" c="teal" role="status">
      {children ?? t('common:saved')}
    </Text>
  );
}

/** One text per language (fa right-to-left), each with its own error. */
export function LocalizedInputs({
  label,
  value,
  onChange,
  errors,
  prefix,
}: {
  label: string;
  value: Localized;
  onChange: (v: Localized) => void;
  errors: Record<string, string>;
  prefix: string;
}) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs">
      {LANGS.map((l) => (
        <TextInput
          key={l}
          label={`${label} (${l})`}
          dir={l === 'fa' ? 'rtl' : 'ltr'}
          value={value[l] ?? ''}
          onChange={(e) => onChange({ ...value, [l]: e.currentTarget.value })}
          error={errors[`${prefix}.${l}`] ?? (l === 'en' ? errors[prefix] : undefined)}
          data-field={`${prefix}.${l}`}
        />
      ))}
    </SimpleGrid>
  );
}

/** Drops empty languages: the API stores only the ones given. */
export function compactLocalized(v: Localized): Localized {
  const out: Localized = {};
  for (const l of LANGS) if (v[l] && v[l]!.trim() !== '') out[l] = v[l]!.trim();
  return out;
}

/** The text in `lang`, else in any language. */
export function pickLocalized(v: Localized | null | undefined, lang: string): string {
  if (!v) return '';
  return v[lang as Lang] || v.en || v.fa || v.ru || '';
}

/** A button that asks before it does something that cannot be undone. */
export function ConfirmButton({
  label,
  question,
  onConfirm,
  loading,
  color = 'red',
}: {
  label: string;
  question: string;
  onConfirm: () => void;
  loading?: boolean;
  color?: string;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="xs" variant="light" color={color} onClick={() => setOpen(true)} loading={loading}>
        {label}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={label} centered>
        <Stack>
          <Text>{question}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              {t('common:cancel')}
            </Button>
            <Button
              color={color}
              onClick={() => {
                setOpen(false);
                onConfirm();
              }}
            >
              {label}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

export interface PreviewButton {
  text: string;
  url?: string;
  hidden?: boolean;
}

/**
 * How the bot shows a message: a chat bubble with the text (plain, as the bot escapes it) and the inline keyboard
 * under it, right-to-left for Persian. A photo is shown as its place above the caption: the page may load no
 * picture from elsewhere (its Content-Security-Policy), and a file_id is no address at all.
 */
export function TelegramPreview({
  lang,
  text,
  keyboard,
  label,
  photo,
}: {
  lang: string;
  text: ReactNode;
  keyboard: PreviewButton[][];
  label?: string;
  photo?: string | null;
}) {
  const dir = lang === 'fa' ? 'rtl' : 'ltr';
  return (
    <Paper
      p="sm"
      radius="md"
      data-testid="telegram-preview"
      aria-label={label}
      style={{ background: 'linear-gradient(160deg, #c8dcb4 0%, #a9c99a 100%)' }}
    >
      <Box dir={dir} maw={420} mx="auto">
        <Paper
          p="sm"
          radius="lg"
          shadow="xs"
          data-testid="preview-bubble"
          style={{
            background: 'white',
            whiteSpace: 'pre-wrap',
            wordBreak: 'break-word',
            borderEndStartRadius: 4,
            textAlign: 'start',
          }}
        >
          {photo && (
            <Box
              data-testid="preview-photo"
              mb="xs"
              p="md"
              dir="ltr"
              style={{ background: '#e9ecef', borderRadius: 8, textAlign: 'center', overflow: 'hidden' }}
            >
              <Text size="xl">🖼</Text>
              <Text size="xs" c="dimmed" truncate="end">
                {photo}
              </Text>
            </Box>
          )}
          <Text size="sm" component="div">
            {text}
          </Text>
        </Paper>
        <Stack gap={4} mt={4}>
          {keyboard.map((row, i) => (
            <Group key={i} gap={4} grow wrap="nowrap">
              {row.map((b, j) => (
                <Box
                  key={j}
                  data-testid="preview-button"
                  py={6}
                  px={8}
                  style={{
                    background: 'rgba(70, 100, 60, 0.45)',
                    color: 'white',
                    borderRadius: 8,
                    textAlign: 'center',
                    fontSize: 13,
                    opacity: b.hidden ? 0.4 : 1,
                    textDecoration: b.hidden ? 'line-through' : undefined,
                    overflow: 'hidden',
                    textOverflow: 'ellipsis',
                    whiteSpace: 'nowrap',
                    minWidth: 0,
                  }}
                  title={b.url}
                >
                  {b.text}
                  {b.url ? ' ↗' : ''}
                </Box>
              ))}
            </Group>
          ))}
        </Stack>
      </Box>
    </Paper>
  );
}

/** Whole units of a currency shown to the user ↔ the API's minor units. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 0;
  } catch {
    return 0;
  }
}
export const toMinor = (major: number, currency: string): number => Math.round(major * 10 ** minorDigits(currency));
export const toMajor = (minor: number, currency: string): number => minor / 10 ** minorDigits(currency);

/** A NumberInput's value as a number, or null when empty. */
export function numberOrNull(v: number | string | null | undefined): number | null {
  if (v === '' || v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

/**
 * A row's cell of Edit and (confirmed) Delete buttons, as the plans, cards and promo codes tables show them; none for a
 * user who may not change the list (`show` false).
 */
export function RowActionsCell({
  show,
  onEdit,
  deleteQuestion,
  onDelete,
}: {
  show: boolean;
  onEdit: () => void;
  deleteQuestion: string;
  onDelete: () => void;
}) {
  const { t } = useTranslation('setup');
  if (!show) return null;
  return (
    <Table.Td>
      <Group gap={4} wrap="nowrap">
        <Button size="xs" variant="light" onClick={onEdit}>
          {t('edit')}
        </Button>
        <ConfirmButton label={t('delete')} question={deleteQuestion} onConfirm={onDelete} />
      </Group>
    </Table.Td>
  );
}
