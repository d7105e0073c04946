// Shotboard: a small SPA. Routes: /shots (list), /shots/:id (detail with the
// image chat panel). Navigation uses history.pushState.
(function () {
  'use strict';

  var SHOTS = [
    { id: 40, title: 'Harbour at dawn', author: 'Mara Quist' },
    { id: 41, title: 'Glass stairwell', author: 'Theo Brandt' },
    { id: 42, title: 'Desert road trip', author: 'Dana Lee' },
    { id: 43, title: 'Night market', author: 'Ines Okafor' }
  ];

  var app = document.getElementById('app');

  function navigate(path) {
    history.pushState({}, '', path);
    render();
  }

  function render() {
    var m = location.pathname.match(/^\/shots\/(\d+)\/?$/);
    if (m) {
      renderShot(Number(m[1]));
    } else {
      renderList();
    }
  }

  function renderList() {
    var html = '<h1>Recent shots</h1><p class="lead">Pick a shot to refine it with the image assistant.</p><ul class="shot-grid" role="list">';
    SHOTS.forEach(function (s) {
      html += '<li class="shot-card" role="listitem" id="shot-' + s.id + '" data-testid="shot-card-' + s.id + '" data-shot-id="' + s.id + '">' +
        '<div class="thumb"></div><h3>' + s.title + '</h3><p class="by">by ' + s.author + '</p></li>';
    });
    html += '</ul>';
    app.innerHTML = html;
    Array.prototype.forEach.call(app.querySelectorAll('.shot-card'), function (el) {
      el.addEventListener('click', function () {
        navigate('/shots/' + el.getAttribute('data-shot-id'));
      });
    });
  }

  function renderShot(id) {
    var shot = SHOTS.filter(function (s) { return s.id === id; })[0] || { id: id, title: 'Untitled shot', author: 'unknown' };
    app.innerHTML =
      '<section class="shot-detail" data-sentry-component="ShotDetail">' +
      '  <div>' +
      '    <h1 id="shot-title">' + shot.title + '</h1>' +
      '    <div class="canvas" role="img" aria-label="Shot preview"></div>' +
      '    <p class="meta">Uploaded by ' + shot.author + ' · 3 revisions</p>' +
      '    <button type="button" class="btn secondary" id="open-chat" data-testid="open-image-chat">Image chat</button>' +
      '  </div>' +
      '  <aside class="chat-panel" id="chat-panel" data-sentry-component="ImageChatPanel" hidden>' +
      '    <h2>Image chat</h2>' +
      '    <p class="hint">Describe what should change in this shot.</p>' +
      '    <label for="prompt">Prompt</label>' +
      '    <textarea id="prompt" name="prompt" aria-label="Prompt" placeholder="e.g. make the sky warmer"></textarea>' +
      '    <button type="button" class="btn" id="generate" data-testid="generate-button">Generate</button>' +
      '    <div class="chat-status" id="chat-status" role="status"></div>' +
      '    <div class="chat-result" id="chat-result"></div>' +
      '  </aside>' +
      '</section>';
    document.getElementById('open-chat').addEventListener('click', function () {
      document.getElementById('chat-panel').hidden = false;
      document.getElementById('prompt').focus();
    });
    document.getElementById('generate').addEventListener('click', function () {
      generate(shot.id, document.getElementById('prompt').value);
    });
  }

  function generate(shotId, prompt) {
    if (prompt.length > 20) {
      console.warn('imagechat: long prompt (' + prompt.length + ' chars), model img-gen-2 may truncate it');
    }
    fetch('/api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ shot_id: shotId, prompt: prompt })
    })
      .then(function (res) { return handleResponse(res); })
      .then(function (data) {
        if (!data) { return; }
        showImage(data.image.url);
      });
  }

  // A failed generation (any non-2xx status) shows an error message
  // instead of reading an image from the error body.
  function handleResponse(res) {
    if (!res.ok) {
      var err = document.getElementById('chat-error') || document.createElement('p');
      err.id = 'chat-error';
      err.className = 'chat-error';
      err.setAttribute('role', 'alert');
      err.textContent = 'Generation failed (HTTP ' + res.status + '). Please try again.';
      document.getElementById('chat-status').appendChild(err);
      return null;
    }
    return res.json();
  }

  function showImage(url) {
    var out = document.getElementById('chat-result');
    out.innerHTML = '<img alt="Generated image" src="' + url + '">';
  }

  window.addEventListener('popstate', render);
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[data-nav], a#home-link');
    if (a) { e.preventDefault(); navigate(a.getAttribute('href')); }
  });
  render();
})();
