// Progressive enhancement for the newssearch page; everything works without it.
// - changing the sort order re-runs the search at once
// - "/" focuses the search box (unless typing somewhere already)
(function () {
  'use strict';
  var form = document.querySelector('form.search');
  var sort = document.getElementById('sort');
  if (form && sort) {
    sort.addEventListener('change', function () { form.submit(); });
  }
  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
    var q = document.getElementById('q');
    if (q) { e.preventDefault(); q.focus(); q.select(); }
  });
})();
