import { Center, Loader } from '@mantine/core';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { SessionProvider, useSessionQuery } from './auth/session';
import { ErrorAlert } from './components/Page';
import { Shell } from './components/Shell';
import { LoginPage } from './pages/LoginPage';
import { OperatorRoutes } from './pages/operator/routes';
import { ResellerRoutes } from './pages/reseller/routes';
import { SessionsPage } from './pages/SessionsPage';

/** Signed-in pages: without a session, the sign-in page. */
function SignedIn() {
  const query = useSessionQuery();
  const location = useLocation();
  if (query.isPending)
    return (
      <Center mih="100vh">
        <Loader />
      </Center>
    );
  if (query.isError) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  // The page asked for (a link from the bot, say) is opened once signed in.
  if (!query.data) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  const session = query.data;
  return (
    <SessionProvider session={session}>
      <Routes>
        <Route element={<Shell />}>
          <Route
            index
            element={<Navigate to={session.kind === 'master' ? '/operator' : `/bots/${session.botId}`} replace />}
          />
          <Route path="sessions" element={<SessionsPage />} />
          <Route path="bots/:botId/*" element={<ResellerRoutes />} />
          {session.kind === 'master' && <Route path="operator/*" element={<OperatorRoutes />} />}
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </SessionProvider>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/*" element={<SignedIn />} />
    </Routes>
  );
}
