import { computed, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api } from './api.js';
import { toast } from './toasts.js';
import { cx } from './styles.js';

// BoardPage (#/board/:id): Enter in "New task" adds a task (saved at once),
// Enter in "Filter tasks" puts the filter in the route (#/board/:id?q=...).
export const BoardPage = {
  name: 'BoardPage',
  props: ['id'],
  setup(props) {
    const route = useRoute();
    const router = useRouter();
    const board = ref(null);
    const draft = ref('');
    const draftError = ref('');
    const filter = ref('');

    watch(
      () => props.id,
      (id) => {
        board.value = null;
        api
          .board(id)
          .then((b) => (board.value = b))
          .catch((err) => toast(err.message, 'error'));
      },
      { immediate: true },
    );

    const query = computed(() => (typeof route.query.q === 'string' ? route.query.q : ''));
    // The filter box shows the filter in force: going Back clears it.
    watch(query, (q) => (filter.value = q), { immediate: true });
    const visible = computed(() => {
      const tasks = board.value ? board.value.tasks : [];
      const q = query.value.toLowerCase();
      return q ? tasks.filter((t) => t.title.toLowerCase().includes(q)) : tasks;
    });
    const openCount = computed(() => (board.value ? board.value.tasks.filter((t) => !t.done).length : 0));

    function addTask() {
      draftError.value = '';
      const title = draft.value.trim();
      if (!title) {
        draftError.value = 'Type a task first';
        return;
      }
      api
        .addTask(board.value.id, title)
        .then((task) => {
          board.value.tasks.push(task);
          draft.value = '';
        })
        .catch((err) => (draftError.value = err.message));
    }

    function toggle(task, done) {
      // The second bug: a rejected update (409 for a task a teammate
      // archived) is not handled — an unhandled ApiError, and the checkbox
      // stays ticked as if it were saved.
      api.updateTask(task.id, { done }).then((saved) => Object.assign(task, saved));
    }

    function applyFilter() {
      const q = filter.value.trim();
      router.push({ query: q ? { q } : {} });
    }

    return { board, draft, draftError, filter, query, visible, openCount, addTask, toggle, applyFilter, back: () => router.back(), cx };
  },
  template: `
    <section v-if="board">
      <div :class="cx.heading">
        <button type="button" :class="cx.back" @click="back">← Back</button>
        <h1>{{ board.name }}</h1>
        <span :class="cx.muted">{{ openCount }} open</span>
      </div>
      <div :class="cx.toolbar">
        <input :class="cx.input" v-model="draft" aria-label="New task" placeholder="Add a task and press Enter" @keydown.enter.prevent="addTask">
        <input :class="cx.input" type="search" v-model="filter" aria-label="Filter tasks" placeholder="Filter tasks" @keydown.enter.prevent="applyFilter">
      </div>
      <p v-if="draftError" :class="cx.error" role="alert">{{ draftError }}</p>
      <p v-if="query" :class="cx.muted">Showing tasks matching “{{ query }}”</p>
      <ul :class="cx.tasks">
        <li v-for="t in visible" :key="t.id" :class="[cx.task, t.done && cx.done]">
          <label><input type="checkbox" :checked="t.done" @change="toggle(t, $event.target.checked)"><span>{{ t.title }}</span></label>
        </li>
      </ul>
      <p v-if="!visible.length" :class="cx.muted">No tasks here yet.</p>
    </section>
    <p v-else :class="cx.muted">Loading board…</p>`,
};
