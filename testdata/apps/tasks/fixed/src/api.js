// The Tasks API client: relative /api/ URLs, JSON in and out. request
// rejects with an ApiError (whose message reads like "Name has already been
// taken") when the server answers with an error status.

export class ApiError extends Error {
  constructor(status, errors) {
    super(describeErrors(errors) || `Request failed (HTTP ${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors || {};
  }
}

// describeErrors turns {"name": ["has already been taken"]} into
// "Name has already been taken".
export function describeErrors(errors) {
  return Object.entries(errors || {})
    .map(([field, messages]) => `${field.charAt(0).toUpperCase()}${field.slice(1)} ${messages.join(', ')}`)
    .join('. ');
}

async function request(method, path, body) {
  const res = await fetch(`/api${path}`, {
    method,
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) throw new ApiError(res.status, data.errors);
  return data;
}

export const api = {
  boards: () => request('GET', '/boards').then((d) => d.boards),
  board: (id) => request('GET', `/boards/${id}`).then((d) => d.board),
  addTask: (boardId, title) => request('POST', `/boards/${boardId}/tasks`, { title }).then((d) => d.task),
  updateTask: (id, changes) => request('PATCH', `/tasks/${id}`, changes).then((d) => d.task),
  settings: () => request('GET', '/settings').then((d) => d.settings),
  saveSettings: (settings) => request('PUT', '/settings', settings).then((d) => d.settings),
};
