import { Navigate, Route, Routes } from 'react-router-dom';
import { TenantsPage } from './TenantsPage';

/** Every operator page, under /operator. */
export function OperatorRoutes() {
  return (
    <Routes>
      <Route index element={<Navigate to="tenants" replace />} />
      <Route path="tenants" element={<TenantsPage />} />
    </Routes>
  );
}
