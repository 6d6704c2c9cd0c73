import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function TenantsPage() {
  const { t } = useTranslation('operator');
  return <Page title={t('tenants')}>{null}</Page>;
}
