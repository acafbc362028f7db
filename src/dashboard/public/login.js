// The login form: a PostgreSQL login, checked by the server; the dashboard follows on success.
'use strict';

document.getElementById('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = document.getElementById('login-button');
  const error = document.getElementById('login-error');
  button.disabled = true;
  button.textContent = 'Logging in…';
  error.hidden = true;
  try {
    const response = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        username: document.getElementById('username').value,
        password: document.getElementById('password').value,
      }),
    });
    if (response.ok) {
      window.location.assign('/');
      return;
    }
    const body = await response.json().catch(() => ({}));
    error.textContent = [body.error || `login failed (HTTP ${response.status})`, body.hint]
      .filter(Boolean).join('. ');
    error.hidden = false;
  } catch (failure) {
    error.textContent = `cannot reach lokbackup serve: ${failure.message}`;
    error.hidden = false;
  } finally {
    button.disabled = false;
    button.textContent = 'Log in';
  }
});
