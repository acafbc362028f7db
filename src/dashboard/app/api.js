// lokbackup serve's JSON API, as the logged-in role: requests that change something carry the
// session's CSRF token; a 401 sends the browser to the login page.

// An API error, with the server's words: what is wrong, and what to do.
export class ApiError extends Error {
  constructor(status, body) {
    super([body.error || `HTTP ${status}`, body.detail, body.hint].filter(Boolean).join(' — '));
    this.status = status;
  }
}

let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token;
}

// `poll`: a timed refresh, which does not keep an unattended page's session alive.
export async function api(method, path, body, poll = false) {
  const options = { method, headers: {} };
  if (poll) {
    options.headers['X-Lokbackup-Poll'] = '1';
  }
  if (method !== 'GET') {
    options.headers['X-CSRF-Token'] = csrfToken;
  }
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const answer = await response.json().catch(() => ({}));
  if (response.status === 401) {
    window.location.assign('/login');
  }
  if (!response.ok) {
    throw new ApiError(response.status, answer);
  }
  return answer;
}
