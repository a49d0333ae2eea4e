// Kinerja ASN portal: live messages (progressive enhancement; every page works without this script).
// New messages from /langsung (the notification service's stream, relayed) are announced in #kabar, and
// the sections marked data-refresh are reloaded from the server so tasks and statuses stay current.
(function () {
  "use strict";
  var source = document.body.getAttribute("data-live");
  if (!source || !window.EventSource) { return; }

  // A section holding a form the person is filling in (the focus inside, or a field changed) is left
  // as it is: replacing it would lose what was typed, and the keyboard's place.
  function editing(element) {
    if (element.contains(document.activeElement) && document.activeElement !== document.body) { return true; }
    var fields = element.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) { return true; }
      } else if (field.tagName === "SELECT") {
        var initial = 0;  // the option marked selected, else the first
        for (var j = 0; j < field.options.length; j++) {
          if (field.options[j].defaultSelected) { initial = j; break; }
        }
        if (field.selectedIndex !== initial) { return true; }
      } else if (field.type !== "hidden" && field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function refresh() {
    var marked = document.querySelectorAll("[data-refresh]");
    if (!marked.length) { return; }
    fetch(window.location.pathname + window.location.search, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var next = fresh.querySelectorAll("[data-refresh]");
        marked.forEach(function (element, index) {
          if (next[index] && !editing(element)) { element.replaceWith(document.importNode(next[index], true)); }
        });
      });
  }

  var stream = new EventSource(source);
  stream.addEventListener("notification", function (event) {
    var message;
    try { message = JSON.parse(event.data); } catch (error) { return; }
    var box = document.getElementById("kabar");
    if (box) {
      box.textContent = "";
      var title = document.createElement("strong");
      title.textContent = message.title || "Pesan baru";
      box.appendChild(title);
      if (message.body) { box.appendChild(document.createTextNode(" " + message.body)); }
    }
    refresh();
  });
  // The session ended (signed out elsewhere, or expired): stop instead of reconnecting.
  stream.addEventListener("ended", function () { stream.close(); });
})();
