/** The reseller's pages' words (namespace `reseller`), fa / en / ru. */
export const reseller = {
  en: { dashboard: 'Dashboard' },
  fa: { dashboard: 'داشبورد' },
  ru: { dashboard: 'Сводка' },
};
