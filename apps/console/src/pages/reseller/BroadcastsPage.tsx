import {
  ActionIcon,
  Badge,
  Button,
  Card,
  FileButton,
  Group,
  Image,
  Modal,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useCan } from '../../auth/session';
import { Page, QueryState } from '../../components/Page';
import { Pager } from '../../components/Pager';
import { useFormat } from '../../i18n/format';
import { ConfirmButton, fieldErrors, FormError, TelegramPreview, useBotId } from './setup/shared';

type Broadcast = components['schemas']['BroadcastDto'];
type Segment = Broadcast['audience']['segment'];
const SEGMENTS: Segment[] = ['all', 'active', 'expired', 'never_bought'];
const PAGE_SIZE = 10;
/** What POST …/{id}/photo takes (the API checks it again). */
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
const STATUS_COLOR: Record<Broadcast['status'], string> = {
  draft: 'gray',
  running: 'blue',
  completed: 'teal',
  cancelled: 'orange',
  failed: 'red',
};

/** Telegram's HTML subset shown roughly as the bot will: tags dropped, entities decoded (for the preview only). */
function plainOfHtml(html: string): string {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  return doc.body.textContent ?? '';
}

/** Messages to the shop's customers: a draft, its preview in the admin's chat, then sending with live progress. */
export function BroadcastsPage() {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const can = useCan();
  const client = useQueryClient();
  const [page, setPage] = useState(1);
  const query = useQuery({
    queryKey: ['broadcasts', botId, page],
    queryFn: () =>
      unwrap(
        api.GET('/v1/bots/{botId}/broadcasts', { params: { path: { botId }, query: { page, pageSize: PAGE_SIZE } } }),
      ),
    // Progress moves while one runs, and a draft waits for its preview to arrive.
    refetchInterval: (q) =>
      q.state.data?.items.some(
        (b) => b.status === 'running' || (b.status === 'draft' && !b.previewedAt && !b.awaitingPhoto && !b.failure),
      )
        ? 2000
        : false,
  });
  // A new draft (true) or the draft being changed.
  const [editing, setEditing] = useState<Broadcast | true | null>(null);
  const refresh = () => void client.invalidateQueries({ queryKey: ['broadcasts', botId] });
  const start = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/v1/bots/{botId}/broadcasts/{id}/start', { params: { path: { botId, id } } })),
    onSettled: refresh,
  });
  const cancel = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/v1/bots/{botId}/broadcasts/{id}/cancel', { params: { path: { botId, id } } })),
    onSettled: refresh,
  });
  const write = can('broadcasts');

  return (
    <Page
      title={t('broadcasts')}
      actions={
        write && (
          <Button onClick={() => setEditing(true)} data-testid="broadcast-create">
            {t('newBroadcast')}
          </Button>
        )
      }
    >
      {start.error && <FormError error={start.error} />}
      {cancel.error && <FormError error={cancel.error} />}
      <QueryState query={query}>
        {(data) => (
          <Stack>
            {data.items.length === 0 && <Text c="dimmed">{t('noBroadcasts')}</Text>}
            {data.items.map((b) => (
              <BroadcastCard
                key={b.id}
                b={b}
                write={write}
                onEdit={() => setEditing(b)}
                onStart={() => start.mutate(b.id)}
                onCancel={() => cancel.mutate(b.id)}
                busy={start.isPending || cancel.isPending}
              />
            ))}
            {data.total > 0 && (
              <Pager total={data.total} page={data.page} pageSize={data.pageSize} onChange={setPage} />
            )}
          </Stack>
        )}
      </QueryState>
      {editing && (
        <BroadcastModal
          draft={editing === true ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            start.reset();
            refresh();
          }}
        />
      )}
    </Page>
  );
}

function BroadcastCard({
  b,
  write,
  onEdit,
  onStart,
  onCancel,
  busy,
}: {
  b: Broadcast;
  write: boolean;
  onEdit: () => void;
  onStart: () => void;
  onCancel: () => void;
  busy: boolean;
}) {
  const { t } = useTranslation('setup');
  const f = useFormat();
  const p = b.progress;
  const total = Math.max(p.total, 1);
  return (
    <Card withBorder padding="sm" data-testid="broadcast-row">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Group gap="xs">
            <Badge color={STATUS_COLOR[b.status]} variant="light">
              {t(`bstatus_${b.status}`)}
            </Badge>
            <Text size="sm" c="dimmed">
              {t(`segment_${b.audience.segment}`)}
              {b.audience.language ? ` · ${b.audience.language}` : ''}
            </Text>
            {(b.photo || b.photoUpload) && (
              <Badge variant="outline" color="gray" data-testid="broadcast-photo">
                🖼 {t('withPhoto')}
              </Badge>
            )}
            <Text size="xs" c="dimmed">
              {f.dateTime(b.createdAt)}
            </Text>
          </Group>
          {write && (
            <Group gap={4}>
              {b.status === 'draft' && (
                <Button size="xs" variant="light" onClick={onEdit} disabled={busy} data-testid="broadcast-edit">
                  {t('edit')}
                </Button>
              )}
              {b.status === 'draft' && (
                <Button
                  size="xs"
                  onClick={onStart}
                  disabled={!b.previewedAt || b.awaitingPhoto || busy}
                  data-testid="broadcast-start"
                >
                  {t('start')}
                </Button>
              )}
              {(b.status === 'draft' || b.status === 'running') && (
                <ConfirmButton
                  label={t('cancelBroadcast')}
                  question={t('cancelBroadcastQuestion')}
                  onConfirm={onCancel}
                />
              )}
            </Group>
          )}
        </Group>
        <Text size="sm" lineClamp={3} style={{ whiteSpace: 'pre-wrap' }}>
          {plainOfHtml(b.text)}
        </Text>
        {b.status === 'draft' && b.awaitingPhoto && (
          <Text size="xs" c="orange" data-testid="broadcast-awaiting-photo">
            {t('photoAwaited')}
          </Text>
        )}
        {b.status === 'draft' && !b.awaitingPhoto && (
          <Text size="xs" c={b.previewedAt ? 'teal' : 'dimmed'}>
            {b.previewedAt ? t('previewSent', { at: f.dateTime(b.previewedAt) }) : t('previewPending')}
          </Text>
        )}
        {b.failure && (
          <Text size="xs" c="red">
            {b.failure}
          </Text>
        )}
        {b.status !== 'draft' && (
          <Stack gap={4}>
            <Progress.Root size="lg">
              <Progress.Section value={(p.sent / total) * 100} color="teal" />
              <Progress.Section value={(p.failed / total) * 100} color="red" />
            </Progress.Root>
            <Group gap="md" wrap="wrap">
              <Text size="xs" data-testid="broadcast-progress">
                {t('progressLine', { sent: f.number(p.sent), failed: f.number(p.failed), total: f.number(p.total) })}
              </Text>
              {p.blocked > 0 && (
                <Text size="xs" c="dimmed">
                  {t('blockedN', { n: f.number(p.blocked) })}
                </Text>
              )}
              {b.status === 'running' && (
                <Text size="xs" c="dimmed">
                  {t('rateLine', {
                    rate: f.number(Math.round(p.ratePerSecond * 10) / 10),
                    eta: p.etaSeconds == null ? '—' : f.number(Math.ceil(p.etaSeconds)),
                  })}
                </Text>
              )}
            </Group>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

/** A new draft, or a change to one (the API then sends a new preview, and Start waits for it again). */
function BroadcastModal({
  draft,
  onClose,
  onSaved,
}: {
  draft: Broadcast | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const [text, setText] = useState(draft?.text ?? '');
  const [photo, setPhoto] = useState(draft?.photo ?? '');
  // A picture picked from the computer (sent after the draft is saved), and whether the draft keeps the one
  // uploaded before (until a link is typed or it is removed).
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [keepUpload, setKeepUpload] = useState(!!draft?.photoUpload);
  // A new draft saved but whose picture was refused: the next try changes it instead of making another.
  const [savedId, setSavedId] = useState<string | null>(draft?.id ?? null);
  const thumb = useObjectUrl(file);
  const pick = (f: File | null) => {
    if (!f) return;
    if (!PHOTO_TYPES.includes(f.type)) return setFileError(t('photoFileType'));
    if (f.size > PHOTO_MAX_BYTES) return setFileError(t('photoFileTooLarge'));
    setFileError(null);
    setFile(f);
    setPhoto('');
    setKeepUpload(false);
  };
  const [segment, setSegment] = useState<Segment>(draft?.audience.segment ?? 'all');
  const [language, setLanguage] = useState<string | null>(draft?.audience.language ?? null);
  const [buttons, setButtons] = useState<{ text: string; url: string }[]>(
    draft?.buttons.map((b) => ({ text: b.text, url: b.url })) ?? [],
  );
  const save = useMutation({
    mutationFn: async () => {
      const link = photo.trim();
      const body = {
        text,
        // Left out, the draft keeps its uploaded picture (or gets the one picked, just after).
        ...(link !== '' || (!file && !keepUpload) ? { photo: link === '' ? null : link } : {}),
        buttons: buttons.filter((b) => b.text || b.url),
        audience: { segment, ...(language ? { language: language as 'fa' | 'en' | 'ru' } : {}) },
        // One preview, with the picture: none for the text alone just before it.
        ...(file ? { photoUploadFollows: true } : {}),
      };
      const saved = savedId
        ? await unwrap(
            api.PATCH('/v1/bots/{botId}/broadcasts/{id}', { params: { path: { botId, id: savedId } }, body }),
          )
        : await unwrap(api.POST('/v1/bots/{botId}/broadcasts', { params: { path: { botId } }, body }));
      setSavedId(saved.id);
      if (!file) return saved;
      const form = new FormData();
      form.append('photo', file, file.name);
      return unwrap(
        api.POST('/v1/bots/{botId}/broadcasts/{id}/photo', {
          params: { path: { botId, id: saved.id } },
          body: form as unknown as { photo: string },
        }),
      );
    },
    onSuccess: onSaved,
  });
  const errors = fieldErrors(save.error);
  const photoError =
    fileError ??
    (save.error instanceof ApiError && save.error.status === 413 ? t('photoFileTooLarge') : undefined) ??
    errors.photo;
  const previewLang = language ?? (/[\u0600-\u06ff]/.test(text) ? 'fa' : 'en');
  return (
    <Modal opened onClose={onClose} title={draft ? t('editDraft') : t('newBroadcast')} size="xl">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Stack>
            <Textarea
              label={t('broadcastText')}
              description={t('broadcastTextHint')}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              autosize
              minRows={5}
              error={errors.text}
              data-field="text"
            />
            <TextInput
              label={t('photo')}
              description={t('photoHint')}
              placeholder="https://…"
              dir="ltr"
              value={photo}
              onChange={(e) => {
                setPhoto(e.currentTarget.value);
                if (e.currentTarget.value.trim() !== '') {
                  setFile(null);
                  setKeepUpload(false);
                }
              }}
              error={photoError}
              data-field="photo"
            />
            <Group gap="xs" align="center">
              <FileButton
                onChange={pick}
                accept={PHOTO_TYPES.join(',')}
                inputProps={{ 'data-testid': 'broadcast-photo-file' } as object}
              >
                {(props) => (
                  <Button {...props} size="xs" variant="light">
                    {t('photoFilePick')}
                  </Button>
                )}
              </FileButton>
              {thumb && (
                <Image
                  src={thumb}
                  h={64}
                  w="auto"
                  fit="contain"
                  radius="sm"
                  alt={file?.name}
                  data-testid="broadcast-photo-thumb"
                />
              )}
              {(file || keepUpload) && (
                <>
                  <Text size="xs" c="dimmed" data-testid="broadcast-photo-file-name">
                    {file ? file.name : t('photoUploaded')}
                  </Text>
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    onClick={() => {
                      setFile(null);
                      setKeepUpload(false);
                    }}
                  >
                    {t('remove')}
                  </Button>
                </>
              )}
            </Group>
            <Group grow>
              <Select
                label={t('audience')}
                data={SEGMENTS.map((s) => ({ value: s, label: t(`segment_${s}`) }))}
                value={segment}
                onChange={(v) => v && setSegment(v as Segment)}
                allowDeselect={false}
              />
              <Select
                label={t('audienceLanguage')}
                data={['fa', 'en', 'ru']}
                value={language}
                onChange={setLanguage}
                clearable
                placeholder={t('common:all')}
              />
            </Group>
            <Stack gap={4}>
              <Text size="sm" fw={500}>
                {t('linkButtons')}
              </Text>
              {buttons.map((b, i) => (
                <Group key={i} gap={4} wrap="nowrap" align="flex-start">
                  <TextInput
                    placeholder={t('buttonText')}
                    value={b.text}
                    onChange={(e) => {
                      const v = e.currentTarget.value;
                      setButtons((bs) => bs.map((x, j) => (j === i ? { ...x, text: v } : x)));
                    }}
                    error={errors[`buttons.${i}.text`]}
                    style={{ flex: 1 }}
                  />
                  <TextInput
                    placeholder="https://…"
                    dir="ltr"
                    value={b.url}
                    onChange={(e) => {
                      const v = e.currentTarget.value;
                      setButtons((bs) => bs.map((x, j) => (j === i ? { ...x, url: v } : x)));
                    }}
                    error={errors[`buttons.${i}.url`]}
                    style={{ flex: 1 }}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    mt={6}
                    aria-label={t('remove')}
                    onClick={() => setButtons((bs) => bs.filter((_, j) => j !== i))}
                  >
                    ✕
                  </ActionIcon>
                </Group>
              ))}
              <Button
                size="xs"
                variant="subtle"
                w="fit-content"
                onClick={() => setButtons((bs) => [...bs, { text: '', url: '' }])}
                disabled={buttons.length >= 8}
              >
                {t('addButton')}
              </Button>
            </Stack>
          </Stack>
          <Stack gap="xs">
            <Text size="sm" fw={500}>
              {t('preview')}
            </Text>
            <TelegramPreview
              lang={previewLang}
              text={plainOfHtml(text) || '…'}
              photo={photo.trim() || file?.name || (keepUpload ? t('photoUploaded') : null)}
              keyboard={buttons.filter((b) => b.text).map((b) => [{ text: b.text, url: b.url }])}
            />
            <Text size="xs" c="dimmed">
              {draft ? t('editResetsPreview') : t('previewToAdmin')}
            </Text>
          </Stack>
        </SimpleGrid>
        <Stack mt="md">
          <FormError error={save.error} shown={errors} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common:cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="broadcast-save">
              {draft ? t('saveDraftAgain') : t('saveDraft')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** A local address (blob:) for a picked file, to show it before it is sent; freed when it changes. */
function useObjectUrl(file: File | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file) return setUrl(null);
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  return url;
}
