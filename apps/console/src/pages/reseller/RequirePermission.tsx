import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../auth/session';

/** The page, or a note that the admin's role may not open it (the API refuses it too). */
export function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  const { t } = useTranslation();
  const can = useCan();
  if (!can(permission)) return <Alert color="yellow">{t('forbidden')}</Alert>;
  return <>{children}</>;
}
