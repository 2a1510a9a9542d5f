/* Images in the editor: a button, drag-and-drop onto the body, or paste from the clipboard.
   Each image is described first (or marked decorative), uploaded to the media library through
   the API (the session and its CSRF token), and written into the body at the cursor as an
   ordinary Markdown image, so the body stays plain Markdown. The server judges every file. */
(function () {
  "use strict";

  var body = document.getElementById("id_body");
  var tools = document.getElementById("image-tools");
  var dialog = document.getElementById("image-dialog");
  if (!body || !tools || !dialog || !window.fetch || !dialog.showModal) return;

  var picker = document.getElementById("image-picker");
  var status = document.getElementById("image-status");
  var form = dialog.querySelector("form");
  var alt = form.elements.alt;
  var decorative = form.elements.decorative;
  var fileName = dialog.querySelector("[data-file-name]");
  var error = dialog.querySelector("[data-error]");
  var queue = [];
  var current = null;
  var cursor = null;
  var submitted = false;

  tools.hidden = false;

  function say(text) {
    status.textContent = text;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function take(files) {
    for (var i = 0; i < files.length; i++) queue.push(files[i]);
    if (cursor === null) cursor = body.selectionStart;
    next();
  }

  function next() {
    if (current || !queue.length) return;
    current = queue.shift();
    fileName.textContent = current.name || "Pasted image";
    alt.value = "";
    decorative.checked = false;
    error.textContent = "";
    dialog.showModal();
    alt.focus();
  }

  function finish() {
    current = null;
    if (!queue.length) cursor = null;
    next();
  }

  function markdownText(text) {
    return text.replace(/([\\\[\]])/g, "\\$1").replace(/\s+/g, " ");
  }

  function insert(markdown) {
    var at = cursor === null ? body.value.length : cursor;
    var before = body.value.slice(0, at);
    var after = body.value.slice(at);
    var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    var text = lead + markdown + "\n\n";
    body.value = before + text + after;
    cursor = at + text.length;
    body.setSelectionRange(cursor, cursor);
    body.dispatchEvent(new Event("input", { bubbles: true })); // autosave notices the change
  }

  function upload(file, description, isDecorative) {
    var data = new FormData();
    data.append("file", file, file.name || "pasted-image");
    data.append("alt", description);
    data.append("decorative", isDecorative ? "true" : "false");
    say("Uploading " + (file.name || "the pasted image") + "…");
    return fetch(tools.dataset.uploadUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) {
            say("Not added: " + (answer.detail || "the upload was refused."));
            return;
          }
          insert("![" + (isDecorative ? "" : markdownText(description)) + "](" + answer.url + ")");
          say("Added " + (file.name || "the pasted image") + " to the body and to your media library.");
        });
      })
      .catch(function () {
        say("Could not upload just now: check your connection and try again.");
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var description = alt.value.trim();
    if (!description && !decorative.checked) {
      error.textContent = "Describe the image for people who cannot see it, or mark it as decorative.";
      alt.focus();
      return;
    }
    var file = current;
    submitted = true;
    dialog.close();
    upload(file, description, decorative.checked).then(finish);
  });

  dialog.querySelector("[data-cancel]").addEventListener("click", function () {
    dialog.close();
  });
  dialog.addEventListener("close", function () {
    // Closed without "Upload" (the cancel button, or Escape): skip this image, ask about the next.
    if (!submitted) finish();
    submitted = false;
  });

  picker.addEventListener("change", function () {
    take(picker.files);
    picker.value = "";
  });

  function hasFiles(event) {
    return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1;
  }
  body.addEventListener("dragover", function (event) {
    if (!hasFiles(event)) return;
    event.preventDefault();
    body.classList.add("is-dropping");
  });
  body.addEventListener("dragleave", function () {
    body.classList.remove("is-dropping");
  });
  body.addEventListener("drop", function (event) {
    body.classList.remove("is-dropping");
    if (!hasFiles(event) || !event.dataTransfer.files.length) return;
    event.preventDefault();
    body.focus();
    cursor = body.selectionStart;
    take(event.dataTransfer.files);
  });
  body.addEventListener("paste", function (event) {
    var files = event.clipboardData && event.clipboardData.files;
    if (!files || !files.length) return;
    event.preventDefault();
    cursor = body.selectionStart;
    take(files);
  });
})();
