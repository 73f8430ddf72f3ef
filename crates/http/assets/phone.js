// The Phone page: keeps the conversation and the handset's call current
// without a reload while the page is visible, and sends the handset's
// messages, calls, keys and hang-ups without leaving it. Every part of the
// page works without this file (a reload shows the same).
"use strict";
(function () {
  var thread = document.getElementById("thread");
  if (!thread || !window.fetch || !window.URLSearchParams || !window.FormData || !window.DOMParser) return;
  var callPart = document.getElementById("call-part");
  var live = document.getElementById("live");
  var reload = document.getElementById("reload");
  var EVERY = 1500;

  // Replacing a part must not close what the user opened in it.
  function openKeys(box) {
    var keys = {};
    box.querySelectorAll("details[open][data-key]").forEach(function (d) {
      keys[d.getAttribute("data-key")] = true;
    });
    return keys;
  }
  function reopen(box, keys) {
    box.querySelectorAll("details[data-key]").forEach(function (d) {
      if (keys[d.getAttribute("data-key")]) d.open = true;
    });
  }

  // A part of the page fetched again from its data-poll address, put in
  // place by `put` when it changed.
  function poller(box, put) {
    var p = { last: null, busy: false };
    p.refresh = function () {
      if (p.busy || document.visibilityState === "hidden") return;
      p.busy = true;
      fetch(box.getAttribute("data-poll"), { credentials: "same-origin", cache: "no-store", redirect: "error" })
        .then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.text();
        })
        .then(function (html) {
          if (live) live.hidden = false;
          if (html === p.last) return;
          var keys = openKeys(box);
          put(html);
          p.last = html;
          reopen(box, keys);
        })
        .catch(function () {
          // Signed out, or the server is away: the Reload link still works.
          if (live) live.hidden = true;
        })
        .then(function () { p.busy = false; });
    };
    p.again = function () { p.last = null; p.refresh(); };
    return p;
  }

  var threadPoll = poller(thread, function (html) {
    var atEnd = window.innerHeight + window.scrollY >= document.body.scrollHeight - 8;
    thread.innerHTML = html;
    if (atEnd) window.scrollTo(0, document.body.scrollHeight);
  });

  // The call: while it is the same call, as live as before, only its status
  // and timeline change, so the keys being typed and the focus stay put.
  var callPoll = callPart && poller(callPart, function (html) {
    var fresh = document.createElement("div");
    fresh.innerHTML = html;
    var now = callPart.querySelector("[data-call]");
    var next = fresh.querySelector("[data-call]");
    var same = now && next && ["data-call", "data-live"].every(function (a) {
      return now.getAttribute(a) === next.getAttribute(a);
    });
    if (!same) {
      callPart.innerHTML = html;
      return;
    }
    now.querySelectorAll("[data-part]").forEach(function (piece) {
      var name = piece.getAttribute("data-part");
      var update = next.querySelector('[data-part="' + name + '"]');
      if (update) piece.innerHTML = update.innerHTML;
    });
  });

  function refresh() {
    threadPoll.refresh();
    if (callPoll) callPoll.refresh();
  }
  setInterval(refresh, EVERY);
  document.addEventListener("visibilitychange", refresh);
  refresh();

  // The page a form was sent back to (the handset's): watch what it shows.
  function follow(at) {
    history.replaceState(null, "", at.pathname + at.search);
    thread.setAttribute("data-poll", at.pathname + "/thread" + at.search);
    if (callPart) callPart.setAttribute("data-poll", at.pathname + "/call" + at.search);
    if (reload) reload.href = at.pathname + at.search;
  }

  function clearErrors(form) {
    form.querySelectorAll("[aria-invalid]").forEach(function (f) {
      f.removeAttribute("aria-invalid");
      f.removeAttribute("aria-describedby");
    });
    form.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
  }

  // Sends `form` (with the button that sent it) and stays on the page: `done`
  // is given where the server sent the browser back to, `refused` the page
  // with the mistakes. Anything else is for the page itself to say.
  function send(form, submitter, done, refused) {
    var body = new URLSearchParams(new FormData(form));
    if (submitter && submitter.name) body.append(submitter.name, submitter.value);
    function fallBack() {
      if (submitter && submitter.name) {
        var key = document.createElement("input");
        key.type = "hidden";
        key.name = submitter.name;
        key.value = submitter.value;
        form.appendChild(key);
      }
      HTMLFormElement.prototype.submit.call(form);
    }
    var buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (html) { return { response: r, html: html }; });
      })
      .then(function (answer) {
        var r = answer.response;
        var at = new URL(r.url);
        if (r.redirected && at.pathname !== location.pathname) {
          // Sent elsewhere (to sign in again): go there.
          location.href = r.url;
        } else if (r.redirected) {
          done(at);
        } else if (r.status === 400) {
          refused(new DOMParser().parseFromString(answer.html, "text/html"));
        } else {
          // An expired form…: the page itself says what happened.
          fallBack();
        }
      }, fallBack)
      .catch(function () {})
      .then(function () {
        buttons.forEach(function (b) { b.disabled = false; });
      });
  }

  // Refused: the form again, with its mistakes next to their fields.
  function formFrom(form) {
    return function (page) {
      var again = page.getElementById(form.id);
      if (again) form.innerHTML = again.innerHTML;
    };
  }

  var text = document.getElementById("send");
  if (text) {
    text.addEventListener("submit", function (event) {
      event.preventDefault();
      send(text, event.submitter, function (at) {
        // Sent. The thread to watch is the handset's (it may be a new one).
        follow(at);
        clearErrors(text);
        text.elements.body.value = "";
        text.elements.media_url.value = "";
        text.elements.body.focus();
        threadPoll.again();
        if (callPoll) callPoll.again();
      }, formFrom(text));
    });
  }

  var place = document.getElementById("place");
  if (place && callPart) {
    place.addEventListener("submit", function (event) {
      event.preventDefault();
      send(place, event.submitter, function (at) {
        // Placed: the call to watch is the handset's new one.
        follow(at);
        clearErrors(place);
        place.elements.digits.value = "";
        threadPoll.again();
        callPoll.again();
      }, formFrom(place));
    });
  }

  // The call's own forms (keys, hanging up) are replaced with it: listen
  // where they are put.
  if (callPart) {
    callPart.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.id !== "keys" && form.id !== "hangup") return;
      event.preventDefault();
      send(form, event.submitter, function () {
        if (form.id === "keys") {
          clearErrors(form);
          form.elements.digits.value = "";
          form.elements.speech.value = "";
        }
        callPoll.again();
      }, function (page) {
        var again = page.getElementById("call-part");
        if (again) {
          callPart.innerHTML = again.innerHTML;
          callPoll.last = null;
        }
      });
    });
  }
})();
