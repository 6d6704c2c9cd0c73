import { Navigate, Route, Routes } from 'react-router-dom';
import { AuditLogPage } from './AuditLogPage';
import { BroadcastsPage } from './BroadcastsPage';
import { CardsPage } from './CardsPage';
import { CustomersPage } from './CustomersPage';
import { DashboardPage } from './DashboardPage';
import { FeaturesPage } from './FeaturesPage';
import { OrdersPage } from './OrdersPage';
import { PaymentsPage } from './PaymentsPage';
import { PlansPage } from './PlansPage';
import { PromoCodesPage } from './PromoCodesPage';
import { ReceiptsPage } from './ReceiptsPage';
import { ReferralsPage } from './ReferralsPage';
import { SettingsPage } from './SettingsPage';
import { TextsPage } from './TextsPage';
import { TicketsPage } from './TicketsPage';
import { WalletPage } from './WalletPage';
import { resellerNav } from './nav';
import { RequirePermission } from './RequirePermission';
import { useCan } from '../../auth/session';

/** The first page of the menu the admin's role may open (support staff land on customers, say). */
function FirstAllowed() {
  const can = useCan();
  const first = resellerNav.find((e) => can(e.permission));
  return <Navigate to={first?.to ?? 'dashboard'} replace />;
}

/** Every reseller page, under /bots/:botId; a page the admin's role may not open says so. */
export function ResellerRoutes() {
  return (
    <Routes>
      <Route index element={<FirstAllowed />} />
      <Route
        path="dashboard/*"
        element={
          <RequirePermission permission="dashboard">
            <DashboardPage />
          </RequirePermission>
        }
      />
      <Route
        path="receipts/*"
        element={
          <RequirePermission permission="receipts">
            <ReceiptsPage />
          </RequirePermission>
        }
      />
      <Route
        path="orders/*"
        element={
          <RequirePermission permission="dashboard">
            <OrdersPage />
          </RequirePermission>
        }
      />
      <Route
        path="payments/*"
        element={
          <RequirePermission permission="dashboard">
            <PaymentsPage />
          </RequirePermission>
        }
      />
      <Route
        path="customers/*"
        element={
          <RequirePermission permission="lookup">
            <CustomersPage />
          </RequirePermission>
        }
      />
      <Route
        path="referrals/*"
        element={
          <RequirePermission permission="dashboard">
            <ReferralsPage />
          </RequirePermission>
        }
      />
      <Route
        path="wallet/*"
        element={
          <RequirePermission permission="wallet">
            <WalletPage />
          </RequirePermission>
        }
      />
      <Route
        path="audit-log/*"
        element={
          <RequirePermission permission="settings">
            <AuditLogPage />
          </RequirePermission>
        }
      />
      <Route
        path="plans/*"
        element={
          <RequirePermission permission="plans">
            <PlansPage />
          </RequirePermission>
        }
      />
      <Route
        path="cards/*"
        element={
          <RequirePermission permission="cards">
            <CardsPage />
          </RequirePermission>
        }
      />
      <Route
        path="promo-codes/*"
        element={
          <RequirePermission permission="plans">
            <PromoCodesPage />
          </RequirePermission>
        }
      />
      <Route
        path="broadcasts/*"
        element={
          <RequirePermission permission="broadcasts">
            <BroadcastsPage />
          </RequirePermission>
        }
      />
      <Route
        path="tickets/*"
        element={
          <RequirePermission permission="tickets">
            <TicketsPage />
          </RequirePermission>
        }
      />
      <Route
        path="texts/*"
        element={
          <RequirePermission permission="texts">
            <TextsPage />
          </RequirePermission>
        }
      />
      <Route
        path="features/*"
        element={
          <RequirePermission permission="settings">
            <FeaturesPage />
          </RequirePermission>
        }
      />
      <Route
        path="settings/*"
        element={
          <RequirePermission permission="settings">
            <SettingsPage />
          </RequirePermission>
        }
      />
    </Routes>
  );
}
