import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function TicketsPage() {
  const { t } = useTranslation('setup');
  return <Page title={t('tickets')}>{null}</Page>;
}
