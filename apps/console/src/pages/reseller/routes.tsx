import { Navigate, Route, Routes } from 'react-router-dom';
import { DashboardPage } from './DashboardPage';

/** Every reseller page, under /bots/:botId. */
export function ResellerRoutes() {
  return (
    <Routes>
      <Route index element={<Navigate to="dashboard" replace />} />
      <Route path="dashboard" element={<DashboardPage />} />
    </Routes>
  );
}
