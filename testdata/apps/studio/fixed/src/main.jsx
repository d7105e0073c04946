// Studio: a small article editor built with React and react-router's
// BrowserRouter. The bundle (dist/app.js, dist/app.css) is built by
// testdata/apps/build; nothing here has an id or a data-testid, and every
// class name is generated from a CSS module.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App.jsx';
import './global.css';

createRoot(document.querySelector('.root')).render(
  <StrictMode>
    <BrowserRouter>
      <App />
    </BrowserRouter>
  </StrictMode>,
);
