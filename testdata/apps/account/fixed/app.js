// Northwind Cloud account console: a small SPA. Routes: /login, /settings,
// /help. Navigation uses history.pushState; Back works through popstate.
(function () {
  'use strict';

  var state = {
    user: null,
    busy: false,
    draft: { region: 'us-east', plan: 'starter', newsletter: false }
  };
  var app = document.getElementById('app');

  function navigate(path) {
    history.pushState({}, '', path);
    render();
  }

  function render() {
    var path = location.pathname.replace(/\/+$/, '') || '/login';
    if (path === '/settings' && state.user) {
      renderSettings();
    } else if (path === '/help') {
      renderHelp();
    } else {
      renderLogin();
    }
  }

  function renderLogin() {
    app.innerHTML =
      '<h1>Sign in</h1>' +
      '<p>Use your work email to manage your Northwind Cloud account.</p>' +
      '<form id="login-form" data-sentry-component="LoginForm" novalidate>' +
      '  <label for="email">Email</label>' +
      '  <input id="email" name="email" type="email" autocomplete="username" placeholder="you@company.com">' +
      '  <label for="password">Password</label>' +
      '  <input id="password" name="password" type="password" autocomplete="current-password">' +
      '  <button type="submit" class="btn" id="login" data-testid="login-submit">Sign in</button>' +
      '  <p class="login-status" id="login-status" role="alert"></p>' +
      '</form>';
    document.getElementById('login-form').addEventListener('submit', function (e) {
      e.preventDefault();
      login(document.getElementById('email').value, document.getElementById('password').value);
    });
  }

  function login(email, password) {
    if (state.busy) {
      return; // a sign-in is already in flight
    }
    state.busy = true;
    document.getElementById('login-status').textContent = 'Signing in…';
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/login');
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.onload = function () {
      if (xhr.status !== 200) {
        state.busy = false;
        document.getElementById('login-status').textContent = 'Sign-in failed. Check your email and password.';
        return;
      }
      var data = JSON.parse(xhr.responseText);
      state.user = data.user;
      state.draft = data.settings;
      state.busy = false;
      navigate('/settings');
    };
    xhr.send(JSON.stringify({ email: email, password: password }));
  }

  function option(value, label, current) {
    return '<option value="' + value + '"' + (value === current ? ' selected' : '') + '>' + label + '</option>';
  }

  function renderSettings() {
    var d = state.draft;
    app.innerHTML =
      '<h1>Account settings</h1>' +
      '<p>Signed in as ' + state.user.name + '. Changes apply to every project in this workspace.</p>' +
      '<form id="settings-form" data-sentry-component="SettingsForm">' +
      '  <label for="region">Data region</label>' +
      '  <select id="region" name="region">' +
      option('us-east', 'US East (Virginia)', d.region) +
      option('eu-west', 'EU West (Dublin)', d.region) +
      option('ap-south', 'Asia Pacific (Mumbai)', d.region) +
      '  </select>' +
      '  <label for="plan">Plan</label>' +
      '  <select id="plan" name="plan" data-testid="plan-select">' +
      option('starter', 'Starter', d.plan) + option('team', 'Team', d.plan) + option('enterprise', 'Enterprise', d.plan) +
      '  </select>' +
      '  <div class="check-row">' +
      '    <input type="checkbox" id="newsletter" name="newsletter"' + (d.newsletter ? ' checked' : '') + '>' +
      '    <label for="newsletter">Send me the monthly product newsletter</label>' +
      '  </div>' +
      '  <button type="button" class="btn" id="save" data-testid="save-settings">Save</button>' +
      '  <div class="save-status" id="save-status" role="status"></div>' +
      '</form>' +
      '<div class="settings-footer"><span>Questions about regions or plans?</span><a href="/help" class="help-link">Help</a></div>';
    var form = document.getElementById('settings-form');
    form.addEventListener('change', function (e) {
      var el = e.target;
      state.draft[el.name] = el.type === 'checkbox' ? el.checked : el.value;
    });
    document.getElementById('save').addEventListener('click', save);
  }

  function save() {
    if (state.busy) {
      return;
    }
    state.busy = true;
    var status = document.getElementById('save-status');
    status.textContent = 'Saving…';
    fetch('/api/settings', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(state.draft)
    })
      .then(function (res) {
        state.busy = false;
        status.textContent = res.ok ? 'Saved' : 'Could not save your settings. Try again.';
      })
      .catch(function () {
        state.busy = false;
        status.textContent = 'Network error. Try again.';
      });
  }

  function renderHelp() {
    app.innerHTML =
      '<h1>Help</h1>' +
      '<h2>Data regions</h2>' +
      '<p>Your data is stored in the region you pick. Moving to another region takes up to 24 hours.</p>' +
      '<h2>Plans</h2>' +
      '<p>Starter covers one project. Team adds shared dashboards and SSO. Enterprise adds audit logs.</p>';
  }

  // In-app links navigate without a page load.
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href^="/"]');
    if (a) {
      e.preventDefault();
      navigate(a.getAttribute('href'));
    }
  });
  window.addEventListener('popstate', render);
  render();
})();
