import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function WalletPage() {
  const { t } = useTranslation('sales');
  return <Page title={t('wallet')}>{null}</Page>;
}
