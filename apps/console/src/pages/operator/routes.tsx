import { Navigate, Route, Routes } from 'react-router-dom';
import { AuditLogPage } from './AuditLogPage';
import { InvitesPage } from './InvitesPage';
import { PanelsPage } from './PanelsPage';
import { StatsPage } from './StatsPage';
import { TenantPage } from './TenantPage';
import { TenantsPage } from './TenantsPage';

/** Every operator page, under /operator (the app routes here only for the master's session). */
export function OperatorRoutes() {
  return (
    <Routes>
      <Route index element={<Navigate to="tenants" replace />} />
      <Route path="tenants" element={<TenantsPage />} />
      <Route path="tenants/:botId" element={<TenantPage />} />
      <Route path="invites" element={<InvitesPage />} />
      <Route path="panels" element={<PanelsPage />} />
      <Route path="stats" element={<StatsPage />} />
      <Route path="audit-log" element={<AuditLogPage />} />
      <Route path="*" element={<Navigate to="tenants" replace />} />
    </Routes>
  );
}
