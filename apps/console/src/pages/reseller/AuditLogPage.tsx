import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function AuditLogPage() {
  const { t } = useTranslation('sales');
  return <Page title={t('audit_log')}>{null}</Page>;
}
