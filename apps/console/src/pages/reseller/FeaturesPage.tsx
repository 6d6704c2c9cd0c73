import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function FeaturesPage() {
  const { t } = useTranslation('setup');
  return <Page title={t('features')}>{null}</Page>;
}
