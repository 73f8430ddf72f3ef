// The Phone page: keeps the conversation current without a reload while the
// page is visible, and sends the handset's messages without leaving it.
// Every part of the page works without this file (a reload shows the same).
"use strict";
(function () {
  var thread = document.getElementById("thread");
  if (!thread || !window.fetch || !window.URLSearchParams) return;
  var source = thread.getAttribute("data-poll");
  var live = document.getElementById("live");
  var reload = document.getElementById("reload");
  var last = null;
  var busy = false;
  var EVERY = 1500;

  // Replacing the thread must not close what the user opened.
  function openKeys() {
    var keys = {};
    thread.querySelectorAll("details[open][data-key]").forEach(function (d) {
      keys[d.getAttribute("data-key")] = true;
    });
    return keys;
  }

  function refresh() {
    if (busy || document.visibilityState === "hidden") return;
    busy = true;
    fetch(source, { credentials: "same-origin", cache: "no-store", redirect: "error" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (html) {
        if (live) live.hidden = false;
        if (html === last) return;
        var keys = openKeys();
        var atEnd = window.innerHeight + window.scrollY >= document.body.scrollHeight - 8;
        thread.innerHTML = html;
        last = html;
        thread.querySelectorAll("details[data-key]").forEach(function (d) {
          if (keys[d.getAttribute("data-key")]) d.open = true;
        });
        if (atEnd) window.scrollTo(0, document.body.scrollHeight);
      })
      .catch(function () {
        // Signed out, or the server is away: the Reload link still works.
        if (live) live.hidden = true;
      })
      .then(function () { busy = false; });
  }

  setInterval(refresh, EVERY);
  document.addEventListener("visibilitychange", refresh);
  refresh();

  var form = document.getElementById("send");
  if (!form || !window.FormData || !window.DOMParser) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    var sent = new URLSearchParams(new FormData(form));
    fetch(form.action, { method: "POST", body: sent, credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (html) { return { response: r, html: html }; });
      })
      .then(function (answer) {
        var r = answer.response;
        var at = new URL(r.url);
        if (r.redirected && at.pathname !== new URL(form.action).pathname) {
          // Sent elsewhere (to sign in again): go there.
          location.href = r.url;
        } else if (r.redirected) {
          // Sent. The thread to watch is the handset's (it may be a new one).
          history.replaceState(null, "", at.pathname + at.search);
          source = at.pathname + "/thread" + at.search;
          thread.setAttribute("data-poll", source);
          if (reload) reload.href = at.pathname + at.search;
          form.querySelectorAll("[aria-invalid]").forEach(function (f) { f.removeAttribute("aria-invalid"); f.removeAttribute("aria-describedby"); });
          form.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
          form.elements.body.value = "";
          form.elements.media_url.value = "";
          form.elements.body.focus();
          last = null;
          refresh();
        } else if (r.status === 400) {
          // Refused: the form again, with its mistakes next to their fields.
          var page = new DOMParser().parseFromString(answer.html, "text/html");
          var again = page.getElementById("send");
          if (again) form.innerHTML = again.innerHTML;
        } else {
          // Anything else (an expired form…) is for the page itself to say.
          HTMLFormElement.prototype.submit.call(form);
        }
      }, function () {
        // No answer at all: let the browser send the form itself.
        HTMLFormElement.prototype.submit.call(form);
      })
      .catch(function () {})
      .then(function () {
        var b = form.querySelector("button[type=submit]");
        if (b) b.disabled = false;
      });
  });
})();
