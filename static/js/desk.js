// The check-in desk without reloads: every desk form is sent with fetch and
// the server answers with the page parts as HTML, so this file holds no
// templates. Without this script the same forms work as plain POSTs.
(function () {
  "use strict";

  var desk = document.getElementById("desk");
  if (!desk) { return; }
  var input = document.getElementById("q");
  var countsUrl = desk.getAttribute("data-counts-url");
  var POLL_MS = 5000;
  var LOG_LENGTH = 5;
  // Scans wait here in order while an earlier one is still being sent: a
  // scanner types the next code and Enter whether or not we are ready.
  var queue = [];
  var sending = false;

  function focusInput() {
    input.focus();
    input.select();
  }

  function replaceParts(html) {
    Object.keys(html || {}).forEach(function (part) {
      var section = document.getElementById("desk-" + part);
      if (section) { section.innerHTML = html[part]; }
    });
  }

  function paragraph(className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  function showFailure(text) {
    var box = document.createElement("div");
    box.className = "answer answer-bad";
    box.setAttribute("role", "alert");
    box.setAttribute("data-result", "network");
    box.appendChild(paragraph("answer-word", "Not sent"));
    box.appendChild(paragraph("answer-detail", text));
    document.getElementById("desk-answer").replaceChildren(box);
  }

  // Says which code an answer is for, so the desk never shows one
  // person's answer while the next one stands there unnoticed.
  function labelAnswer(item) {
    var box = document.querySelector("#desk-answer .answer");
    if (!box || !item.code) { return; }
    box.setAttribute("data-code", item.code);
    box.insertBefore(paragraph("answer-for", "Scanned: " + item.code),
                     box.firstChild);
    addToLog(item.code, box);
  }

  function addToLog(code, box) {
    var log = document.getElementById("desk-log");
    if (!log) {
      log = document.createElement("ol");
      log.id = "desk-log";
      log.className = "desk-log";
      log.setAttribute("aria-label", "Latest scans");
      document.getElementById("desk-answer").after(log);
    }
    var headline = box.querySelector(".answer-headline, .answer-detail");
    var entry = document.createElement("li");
    entry.setAttribute("data-code", code);
    entry.setAttribute("data-result", box.getAttribute("data-result") || "");
    entry.textContent = code + ": " + (headline ? headline.textContent : "");
    log.insertBefore(entry, log.firstChild);
    while (log.children.length > LOG_LENGTH) { log.removeChild(log.lastChild); }
  }

  function showWaiting() {
    var waiting = queue.length + (sending ? 1 : 0);
    if (waiting) {
      desk.setAttribute("aria-busy", "true");
      desk.setAttribute("data-waiting", String(waiting));
    } else {
      desk.removeAttribute("aria-busy");
      desk.removeAttribute("data-waiting");
    }
  }

  function enqueue(form) {
    // Take the values now: the input is cleared at once for the next scan.
    var body = new FormData(form);
    var code = String(body.get("q") || "").trim();
    if (form.id === "scan-form") { input.value = ""; }
    queue.push({ action: form.action, body: body, code: code });
    showWaiting();
    if (!sending) { sendNext(); }
  }

  function sendNext() {
    var item = queue.shift();
    if (!item) { showWaiting(); return; }
    sending = true;
    showWaiting();
    fetch(item.action, {
      method: "POST",
      body: item.body,
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.redirected) {
        throw new Error("you were signed out; reload the page to sign in again");
      }
      return response.json().catch(function () {
        throw new Error("The server answered " + response.status + ".");
      });
    }).then(function (body) {
      if (body.html) {
        replaceParts(body.html);
      } else if (body.errors) {
        showFailure(body.errors[0].detail);
      }
      labelAnswer(item);
    }).catch(function (error) {
      showFailure("No answer from the server (" + error.message + "). " +
                  "Check the network and scan " + (item.code || "again") + " again.");
      labelAnswer(item);
    }).then(function () {
      sending = false;
      // Keep what is being typed for the next scan; select only an empty input.
      if (document.activeElement !== input || !input.value) { focusInput(); }
      sendNext();
    });
  }

  desk.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("js-desk")) { return; }
    event.preventDefault();
    enqueue(form);
  });

  // Arrow keys walk from the input through the search results; Enter or a
  // tap checks the focused one in, Escape goes back to the input.
  desk.addEventListener("keydown", function (event) {
    var buttons = Array.prototype.slice.call(
      desk.querySelectorAll("#result-list .result-button"));
    var index = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && buttons.length) {
      event.preventDefault();
      buttons[Math.min(index + 1, buttons.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      if (index === 0) { focusInput(); } else { buttons[index - 1].focus(); }
    } else if (event.key === "Escape") {
      focusInput();
    }
  });

  function pollCounts() {
    if (document.hidden || sending) { return; }
    fetch(countsUrl, { headers: { "Accept": "application/json" },
                       credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && body.html && !sending) {
          replaceParts({ counts: body.html.counts });
        }
      })
      .catch(function () { /* the next poll tries again */ });
  }

  window.setInterval(pollCounts, POLL_MS);
  focusInput();
}());
