import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { I18nProvider } from './i18n/I18nProvider.js';
import { registerServiceWorker } from './pwa/register-service-worker.js';
import './styles/base.css';
import './styles/sign-in.css';
import './styles/messenger.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
registerServiceWorker();
createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <App />
    </I18nProvider>
  </StrictMode>,
);
