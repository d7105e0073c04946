import { onMounted, reactive, ref } from 'vue';
import { useRouter } from 'vue-router';
import { api } from './api.js';
import { toast } from './toasts.js';
import { cx } from './styles.js';

// SettingsPage (#/settings): the display name is required before anything
// is sent.
export const SettingsPage = {
  name: 'SettingsPage',
  setup() {
    const router = useRouter();
    const form = reactive({ displayName: '', dailyDigest: false, weeklySummary: false });
    const error = ref('');
    const loaded = ref(false);
    onMounted(() => {
      api
        .settings()
        .then((s) => Object.assign(form, s))
        .catch((err) => toast(err.message, 'error'))
        .finally(() => (loaded.value = true));
    });
    function save() {
      error.value = '';
      if (!form.displayName.trim()) {
        error.value = 'Enter a display name';
        return;
      }
      api
        .saveSettings({ ...form, displayName: form.displayName.trim() })
        .then(() => toast('Settings saved'))
        .catch((err) => (error.value = err.message));
    }
    return { form, error, loaded, save, back: () => router.back(), cx };
  },
  template: `
    <form v-if="loaded" :class="cx.panel" aria-label="Settings" @submit.prevent="save">
      <h1>Settings</h1>
      <label :class="cx.field">
        <span>Display name</span>
        <input v-model="form.displayName">
      </label>
      <p v-if="error" :class="cx.error" role="alert">{{ error }}</p>
      <label :class="cx.check"><input type="checkbox" v-model="form.dailyDigest"> Email me a daily digest</label>
      <label :class="cx.check"><input type="checkbox" v-model="form.weeklySummary"> Send my team a weekly summary</label>
      <div :class="cx.actions">
        <button type="button" :class="cx.secondary" @click="back">Back</button>
        <button type="submit" :class="cx.primary">Save</button>
      </div>
    </form>
    <p v-else :class="cx.muted">Loading settings…</p>`,
};
