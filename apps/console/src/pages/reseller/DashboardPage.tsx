import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function DashboardPage() {
  const { t } = useTranslation('reseller');
  return <Page title={t('dashboard')}>{null}</Page>;
}
