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
  var busy = false;

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

  function showFailure(text) {
    var section = document.getElementById("desk-answer");
    var box = document.createElement("div");
    var word = document.createElement("p");
    var detail = document.createElement("p");
    box.className = "answer answer-bad";
    box.setAttribute("role", "alert");
    box.setAttribute("data-result", "network");
    word.className = "answer-word";
    word.textContent = "Not sent";
    detail.className = "answer-detail";
    detail.textContent = text;
    box.appendChild(word);
    box.appendChild(detail);
    section.replaceChildren(box);
  }

  function send(form) {
    if (busy) { return; }
    busy = true;
    desk.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
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
      if (body.answer || body.message) { input.value = ""; }
    }).catch(function (error) {
      showFailure("No answer from the server (" + error.message + "). " +
                  "Check the network and scan again.");
    }).then(function () {
      busy = false;
      desk.removeAttribute("aria-busy");
      focusInput();
    });
  }

  desk.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("js-desk")) { return; }
    event.preventDefault();
    send(form);
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
    if (document.hidden || busy) { return; }
    fetch(countsUrl, { headers: { "Accept": "application/json" },
                       credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && body.html && !busy) { replaceParts({ counts: body.html.counts }); }
      })
      .catch(function () { /* the next poll tries again */ });
  }

  window.setInterval(pollCounts, POLL_MS);
  focusInput();
}());
