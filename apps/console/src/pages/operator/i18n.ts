/** The operator's pages' words (namespace `operator`), fa / en / ru. */
export const operator = {
  en: { tenants: 'Tenants' },
  fa: { tenants: 'فروشندگان' },
  ru: { tenants: 'Арендаторы' },
};
