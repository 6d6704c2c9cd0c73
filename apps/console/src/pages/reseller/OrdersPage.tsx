import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function OrdersPage() {
  const { t } = useTranslation('sales');
  return <Page title={t('orders')}>{null}</Page>;
}
