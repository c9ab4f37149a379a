// One bundle for every window; the query string picks which: index.html?window=history|popup|signin.
// React's component model (the windows are stateful views over IPC events), bundled with Preact's
// compat layer: see scripts/rendererAlias.mjs.
import { createRoot } from 'react-dom/client';
import { StrictMode } from 'react';
import { SessionProvider } from './session.tsx';
import { SignIn } from './SignIn.tsx';
import { History } from './History.tsx';
import { Popup } from './Popup.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';

const which = new URLSearchParams(location.search).get('window') ?? 'history';
document.documentElement.dataset.window = which;
document.title = which === 'signin' ? 'Sign in — UCWA Tray' : which === 'popup' ? 'Quick reply — UCWA Tray' : 'UCWA Tray';

const root = createRoot(document.getElementById('root') as HTMLElement);
root.render(
  <StrictMode>
    <ErrorBoundary what="this window">
      <SessionProvider>{which === 'signin' ? <SignIn /> : which === 'popup' ? <ErrorBoundary what="the quick reply"><Popup /></ErrorBoundary> : <History />}</SessionProvider>
    </ErrorBoundary>
  </StrictMode>,
);
