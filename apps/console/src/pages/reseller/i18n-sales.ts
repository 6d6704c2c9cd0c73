/** Words of the reseller's sales pages (namespace `sales`), fa / en / ru. */
export const sales = {
  en: {
    dashboard: 'Dashboard',
    receipts: 'Receipts',
    orders: 'Orders',
    payments: 'Payments',
    customers: 'Customers',
    wallet: 'Wholesale wallet',
    audit_log: 'Audit log',
  },
  fa: {
    dashboard: 'داشبورد',
    receipts: 'رسیدها',
    orders: 'سفارش‌ها',
    payments: 'پرداخت‌ها',
    customers: 'مشتریان',
    wallet: 'کیف پول عمده',
    audit_log: 'گزارش رویدادها',
  },
  ru: {
    dashboard: 'Сводка',
    receipts: 'Чеки',
    orders: 'Заказы',
    payments: 'Платежи',
    customers: 'Клиенты',
    wallet: 'Оптовый кошелёк',
    audit_log: 'Журнал действий',
  },
};
