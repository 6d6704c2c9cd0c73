import { Button, Group, Modal, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** A form in a modal: its fields (and its error), then Cancel and Save, which submits and is busy while `saving`. */
export function FormModal({
  title,
  onClose,
  onSubmit,
  saving,
  saveTestId,
  children,
}: {
  title: ReactNode;
  onClose: () => void;
  onSubmit: () => void;
  saving: boolean;
  saveTestId?: string;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened onClose={onClose} title={title} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        <Stack>
          {children}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common:cancel')}
            </Button>
            <Button type="submit" loading={saving} data-testid={saveTestId}>
              {t('common:save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
