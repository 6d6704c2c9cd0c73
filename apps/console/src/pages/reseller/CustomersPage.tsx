import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function CustomersPage() {
  const { t } = useTranslation('sales');
  return <Page title={t('customers')}>{null}</Page>;
}
