// Toasts: a reactive list shown by ToastHost, which teleports to <body>.
import { reactive } from 'vue';
import { cx } from './styles.js';

const toasts = reactive([]);
let next = 1;

export function toast(text, kind = 'info') {
  const id = next++;
  toasts.push({ id, text, kind });
  setTimeout(() => {
    const i = toasts.findIndex((t) => t.id === id);
    if (i >= 0) toasts.splice(i, 1);
  }, 4000);
}

export const ToastHost = {
  name: 'ToastHost',
  setup: () => ({ toasts, cx }),
  template: `
    <Teleport to="body">
      <div :class="cx.toastStack" role="status" aria-live="polite">
        <div v-for="t in toasts" :key="t.id" :class="[cx.toast, t.kind === 'error' && cx.toastError]">{{ t.text }}</div>
      </div>
    </Teleport>`,
};
