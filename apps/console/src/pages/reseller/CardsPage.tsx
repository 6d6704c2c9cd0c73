import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function CardsPage() {
  const { t } = useTranslation('setup');
  return <Page title={t('cards')}>{null}</Page>;
}
