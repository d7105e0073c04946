// Teamfeed: an infinite-scroll list of updates. The next page loads when the
// list (its own scroll container) is scrolled near its bottom.
(function () {
  'use strict';

  var list = document.getElementById('feed-list');
  var loadingEl = document.getElementById('feed-loading');
  var state = { loading: false, next: 1 };

  function loadPage(page) {
    state.loading = true;
    loadingEl.hidden = false;
    return fetch('/api/items?page=' + page + '&_=' + Date.now())
      .then(function (res) { return res.json(); })
      .then(function (data) {
        data.items.forEach(function (item) { list.appendChild(renderItem(item)); });
        state.next = data.next_page;
        state.loading = false;
        loadingEl.hidden = true;
      });
  }

  function authorName(item) {
    // Deleted accounts come back with author: null.
    return item.author ? item.author.name : 'unknown author';
  }

  function renderItem(item) {
    var el = document.createElement('article');
    el.className = 'feed-item';
    el.setAttribute('data-item-id', String(item.id));
    el.innerHTML =
      '<h3 class="feed-item__title">' + item.title + '</h3>' +
      '<p class="excerpt">' + item.excerpt + '</p>' +
      '<footer class="feed-item__meta">by ' + authorName(item) + ' · ' + item.comments + ' comments</footer>';
    return el;
  }

  list.addEventListener('click', function (e) {
    var title = e.target.closest('.feed-item__title');
    if (title) {
      title.parentNode.classList.toggle('expanded');
    }
  });

  list.addEventListener('scroll', function () {
    if (state.loading || !state.next) {
      return;
    }
    if (list.scrollTop + list.clientHeight >= list.scrollHeight - 150) {
      loadPage(state.next);
    }
  });

  loadPage(1);
})();
