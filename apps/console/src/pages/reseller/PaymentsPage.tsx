import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function PaymentsPage() {
  const { t } = useTranslation('sales');
  return <Page title={t('payments')}>{null}</Page>;
}
