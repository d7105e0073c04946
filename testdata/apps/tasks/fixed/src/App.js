import { ToastHost } from './toasts.js';
import { cx } from './styles.js';

export const App = {
  name: 'App',
  components: { ToastHost },
  setup: () => ({ cx }),
  template: `
    <header :class="cx.bar">
      <router-link to="/boards" :class="cx.brand">Tasks</router-link>
      <nav :class="cx.nav" aria-label="Main">
        <router-link to="/boards">Boards</router-link>
        <router-link to="/settings">Settings</router-link>
      </nav>
      <span :class="cx.user">Dana Lee</span>
    </header>
    <main :class="cx.main"><router-view /></main>
    <ToastHost />`,
};
