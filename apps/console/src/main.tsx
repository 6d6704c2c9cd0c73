import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import { DirectionProvider, MantineProvider, createTheme } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useTranslation } from 'react-i18next';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App';
import i18n, { isRtl } from './i18n';

const theme = createTheme({
  primaryColor: 'indigo',
  fontFamily: 'Vazirmatn, Tahoma, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
});

const queryClient = new QueryClient({
  defaultOptions: {
    // A 4xx will not change on retry; a dropped connection might.
    queries: { retry: (n, e) => n < 2 && !(e as { status?: number }).status, refetchOnWindowFocus: false },
  },
});

/** Mantine follows the language's direction: fa right-to-left, en and ru left-to-right. */
function Directed() {
  const { i18n: live } = useTranslation();
  const [dir, setDir] = useState<'rtl' | 'ltr'>(isRtl(live.language) ? 'rtl' : 'ltr');
  useEffect(() => setDir(isRtl(live.language) ? 'rtl' : 'ltr'), [live.language]);
  return (
    <DirectionProvider initialDirection={dir} detectDirection={false} key={dir}>
      <MantineProvider theme={theme}>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter basename="/console">
            <App />
          </BrowserRouter>
        </QueryClientProvider>
      </MantineProvider>
    </DirectionProvider>
  );
}

void i18n;
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Directed />
  </StrictMode>,
);
