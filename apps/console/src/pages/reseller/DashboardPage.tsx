import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function DashboardPage() {
  const { t } = useTranslation('sales');
  return <Page title={t('dashboard')}>{null}</Page>;
}
