import { ref } from 'vue';
import { useRouter } from 'vue-router';
import { describeErrors } from './api.js';
import { toast } from './toasts.js';
import { cx } from './styles.js';

// NewBoardDialog is a modal teleported to <body>. Creating a board takes
// the user to it (#/board/:id) once the server has answered.
export const NewBoardDialog = {
  name: 'NewBoardDialog',
  emits: ['close'],
  setup(props, { emit }) {
    const router = useRouter();
    const name = ref('');
    const error = ref('');

    function create() {
      error.value = '';
      if (!name.value.trim()) {
        error.value = 'Give the board a name';
        return;
      }
      fetch('/api/boards', {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: name.value.trim() }),
      })
        .then(async (res) => {
          const data = await res.json();
          if (!res.ok) {
            // 409 {"errors": {"name": ["has already been taken"]}}
            error.value = describeErrors(data.errors) || `Could not create the board (HTTP ${res.status})`;
            return;
          }
          router.push(`/board/${data.board.id}`);
          emit('close');
          toast(`Board “${data.board.name}” created`);
        });
    }
    return { name, error, create, close: () => emit('close'), cx };
  },
  template: `
    <Teleport to="body">
      <div :class="cx.backdrop" @click.self="close">
        <form :class="cx.dialog" role="dialog" aria-label="New board" @submit.prevent="create">
          <h2>New board</h2>
          <label :class="cx.field">
            <span>Name</span>
            <input v-model="name" placeholder="e.g. Launch plan">
          </label>
          <p v-if="error" :class="cx.error" role="alert">{{ error }}</p>
          <div :class="cx.actions">
            <button type="button" :class="cx.secondary" @click="close">Cancel</button>
            <button type="submit" :class="cx.primary">Create</button>
          </div>
        </form>
      </div>
    </Teleport>`,
};
