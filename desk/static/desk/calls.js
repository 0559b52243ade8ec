// Progressive enhancement for the calls panel: poll for changes and offer a refresh.
// Without JavaScript the panel works the same; the agent reloads the page.
(function () {
  "use strict";
  var root = document.getElementById("calls-live");
  if (!root || !window.fetch) { return; }
  var notice = document.getElementById("calls-live-notice");
  var known = root.getAttribute("data-calls") || "";
  var url = root.getAttribute("data-poll-url");
  function check() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var now = data.calls.map(function (c) { return c.id + ":" + c.stage; }).join(",");
        if (now !== known && notice && !notice.firstChild) {
          var link = document.createElement("a");
          link.className = "govuk-link";
          link.href = window.location.pathname;
          link.textContent = notice.getAttribute("data-text") || "The calls have changed: refresh the list";
          notice.appendChild(link);
        }
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  window.setInterval(check, 5000);
}());
