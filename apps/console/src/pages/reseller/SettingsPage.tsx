import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function SettingsPage() {
  const { t } = useTranslation('setup');
  return <Page title={t('settings')}>{null}</Page>;
}
