// Tasks: a small task board built with Vue 3 (templates compiled in the
// browser) and vue-router in hash mode (#/boards, #/board/:id, #/settings).
// The bundle (dist/app.js) is built by testdata/apps/build. Class names come
// from @emotion/css; nothing has an id or a data-testid.
import { createApp } from 'vue';
import { createRouter, createWebHashHistory } from 'vue-router';
import { App } from './App.js';
import { BoardPage } from './BoardPage.js';
import { BoardsPage } from './BoardsPage.js';
import { SettingsPage } from './SettingsPage.js';

const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/boards' },
    { path: '/boards', component: BoardsPage },
    { path: '/board/:id', component: BoardPage, props: true },
    { path: '/settings', component: SettingsPage },
    { path: '/:rest(.*)*', redirect: '/boards' },
  ],
});

createApp(App).use(router).mount('.root');
