// The classroom screen: fetches the current check-in code (a QR image the server draws) and
// shows it, then fetches the next one when the server says the code changes. A static file:
// the Content-Security-Policy runs no inline script.
(function () {
  var screen = document.getElementById("screen");
  if (!screen) { return; }
  var url = screen.getAttribute("data-code-url");
  var img = document.getElementById("screen-qr");
  var checkedIn = document.getElementById("screen-in");
  var checkedOut = document.getElementById("screen-out");
  var closed = document.getElementById("screen-closed");

  function next(ms) { window.setTimeout(refresh, Math.max(500, ms)); }

  function refresh() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        img.src = data.qr;
        img.setAttribute("data-url", data.url);
        checkedIn.textContent = data.checked_in;
        checkedOut.textContent = data.checked_out;
        closed.hidden = data.window_open;
        next(data.refresh_ms);
      })
      .catch(function () { next(2000); });
  }

  refresh();
  // A tab woken from sleep fetches at once rather than showing a stale code.
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { refresh(); }
  });
})();
