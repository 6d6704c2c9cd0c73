import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function BroadcastsPage() {
  const { t } = useTranslation('setup');
  return <Page title={t('broadcasts')}>{null}</Page>;
}
