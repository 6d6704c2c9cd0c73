import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';

export function PromoCodesPage() {
  const { t } = useTranslation('setup');
  return <Page title={t('promo_codes')}>{null}</Page>;
}
