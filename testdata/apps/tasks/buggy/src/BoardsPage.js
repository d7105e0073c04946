import { onMounted, ref } from 'vue';
import { api } from './api.js';
import { NewBoardDialog } from './NewBoardDialog.js';
import { toast } from './toasts.js';
import { cx } from './styles.js';

// BoardsPage (#/boards) lists the boards as link cards keyed by id.
export const BoardsPage = {
  name: 'BoardsPage',
  components: { NewBoardDialog },
  setup() {
    const boards = ref([]);
    const loading = ref(true);
    const dialogOpen = ref(false);
    onMounted(() => {
      api
        .boards()
        .then((list) => (boards.value = list))
        .catch((err) => toast(err.message, 'error'))
        .finally(() => (loading.value = false));
    });
    return { boards, loading, dialogOpen, cx };
  },
  template: `
    <section>
      <div :class="cx.heading">
        <h1>Boards</h1>
        <button type="button" :class="cx.primary" @click="dialogOpen = true">New board</button>
      </div>
      <p v-if="loading" :class="cx.muted">Loading boards…</p>
      <div v-else :class="cx.grid">
        <router-link v-for="b in boards" :key="b.id" :to="'/board/' + b.id" :class="cx.card">
          <h3>{{ b.name }}</h3>
          <p>{{ b.openTasks }} open {{ b.openTasks === 1 ? 'task' : 'tasks' }}</p>
        </router-link>
      </div>
      <NewBoardDialog v-if="dialogOpen" @close="dialogOpen = false" />
    </section>`,
};
