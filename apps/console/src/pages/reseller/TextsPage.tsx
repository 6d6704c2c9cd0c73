import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function TextsPage() {
  const { t } = useTranslation('setup');
  return <Page title={t('texts')}>{null}</Page>;
}
