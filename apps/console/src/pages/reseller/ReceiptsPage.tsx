import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function ReceiptsPage() {
  const { t } = useTranslation('sales');
  return <Page title={t('receipts')}>{null}</Page>;
}
