import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function PlansPage() {
  const { t } = useTranslation('setup');
  return <Page title={t('plans')}>{null}</Page>;
}
