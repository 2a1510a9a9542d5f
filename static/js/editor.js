/* The editor page's autosave: after a few idle seconds, the draft is sent to the server in the
   background. It never publishes (the server's autosave endpoint only keeps words) and never
   overwrites a newer save: it sends back the version it last saw, and stops on a conflict. */
(function () {
  "use strict";

  var form = document.getElementById("post-form");
  if (!form || !form.dataset.autosaveUrl) return;

  var delay = parseInt(form.dataset.autosaveDelay, 10) || 3000;
  var status = document.getElementById("autosave-status");
  var timer = null;
  var inflight = null;
  var dirty = false;
  var stopped = false;
  var submitting = false;

  function say(text) {
    if (status) status.textContent = text;
  }

  function setVersion(version) {
    document.querySelectorAll('input[name="version"]').forEach(function (input) {
      input.value = version;
    });
  }

  function formData() {
    var data = new FormData(form);
    data.delete("action");
    return data;
  }

  function stop(text) {
    stopped = true;
    if (timer) clearTimeout(timer);
    say(text);
  }

  function saved(data) {
    setVersion(data.version);
    if (form.dataset.autosaveUrl !== data.autosave_url) {
      // A new post now exists: later saves, the buttons and a reload all go to its own address.
      form.dataset.autosaveUrl = data.autosave_url;
      form.action = data.edit_url;
      window.history.replaceState(null, "", data.edit_url);
    }
    say("Draft saved at " + new Date().toLocaleTimeString() + ".");
  }

  function failed(response) {
    if (response.redirected || response.status === 403) {
      stop("Autosave stopped: you are signed out or may no longer edit this post. Save by hand.");
    } else if (response.status === 409) {
      stop("This post was changed elsewhere, so autosave stopped to keep both versions. " +
           "Save to see the conflict, or reload to get the latest version.");
    } else if (response.status === 400) {
      dirty = true;
      return response.json().then(function (body) {
        var errors = body.errors || {};
        var first = Object.keys(errors)[0];
        say("Not saved automatically: " + (first ? first + ": " + errors[first][0] : "check the form."));
      });
    } else {
      dirty = true;
      say("Could not save automatically just now; will try again.");
      schedule();
    }
    return null;
  }

  function save() {
    timer = null;
    if (stopped || !dirty || inflight) return;
    if (!form.elements.title.value.trim()) {
      say("Give the post a title and it will be saved automatically as you write.");
      return;
    }
    dirty = false;
    say("Saving…");
    var token = form.elements.csrfmiddlewaretoken.value;
    inflight = fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: formData(),
      headers: { "X-CSRFToken": token, Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (response.ok && !response.redirected) return response.json().then(saved);
        return failed(response);
      })
      .catch(function () {
        dirty = true;
        say("You seem to be offline; your draft will be saved when the connection is back.");
        schedule();
      })
      .finally(function () {
        inflight = null;
        if (dirty && !timer && !stopped) schedule();
      });
  }

  function schedule() {
    if (stopped || submitting) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  form.addEventListener("input", function () {
    dirty = true;
    if (!stopped) say("Unsaved changes.");
    schedule();
  });

  // A button press waits for a background save in flight, so it sends the newest version.
  form.addEventListener("submit", function (event) {
    if (timer) clearTimeout(timer);
    timer = null;
    if (inflight) {
      event.preventDefault();
      var submitter = event.submitter;
      inflight.then(function () {
        form.requestSubmit(submitter);
      });
      return;
    }
    submitting = true;
  });

  // Leaving the page with unsaved words: one last save that needs no answer.
  window.addEventListener("pagehide", function () {
    if (!dirty || stopped || submitting || !form.elements.title.value.trim() || !navigator.sendBeacon) return;
    navigator.sendBeacon(form.dataset.autosaveUrl, formData());
  });
})();
