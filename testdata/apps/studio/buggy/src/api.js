// The Studio API client. Every call is relative (/api/...), so the app talks
// to whatever origin served it. Callers read the status themselves.

let token = '';

export function setToken(t) {
  token = t;
}

function send(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Token ${token}`;
  return fetch(`/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export const api = {
  login: (email, password) => send('POST', '/login', { user: { email, password } }),
  articles: (q) => send('GET', q ? `/articles?q=${encodeURIComponent(q)}` : '/articles'),
  article: (slug) => send('GET', `/articles/${encodeURIComponent(slug)}`),
  saveArticle: (slug, article) =>
    slug ? send('PUT', `/articles/${encodeURIComponent(slug)}`, { article }) : send('POST', '/articles', { article }),
};
