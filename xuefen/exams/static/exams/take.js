// The paper: every answer is saved as it is given (the server logs each submission with its
// address and device); a heartbeat every 15 seconds keeps the server's clock, which alone decides
// the time left. When the connection comes back, the next save or heartbeat resumes; opening the
// page again resumes with the time the server says is left.
(function () {
  var root = document.getElementById("exam-paper");
  if (!root) { return; }
  var texts = document.getElementById("exam-texts").dataset;
  var clock = document.getElementById("exam-clock");
  var saved = document.getElementById("exam-saved");
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  var left = parseInt(root.dataset.left, 10) || 0;
  var timers = {};
  var pending = {};  // answers not yet saved (the connection was lost): sent again on the next beat

  function draw() {
    var s = Math.max(0, left);
    var m = Math.floor(s / 60);
    clock.textContent = (m < 10 ? "0" : "") + m + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
  }

  function post(body) {
    return fetch(root.dataset.saveUrl, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/json", "Accept": "application/json" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.error && data.error.code === "time_up") { window.location = root.dataset.resultUrl; return data; }
      if (data.closed) { window.location = root.dataset.resultUrl; return data; }
      if (typeof data.left === "number") { left = data.left; draw(); }
      return data;
    });
  }

  function value(fieldset) {
    var kind = fieldset.dataset.kind;
    if (kind === "multiple") {
      return Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (i) { return parseInt(i.value, 10); });
    }
    if (kind === "short") { return fieldset.querySelector("textarea").value; }
    var checked = fieldset.querySelector("input:checked");
    if (!checked) { return null; }
    if (kind === "true_false") { return checked.value === "true"; }
    return [parseInt(checked.value, 10)];
  }

  function save(fieldset) {
    var id = fieldset.dataset.question;
    pending[id] = fieldset;
    post({ question: id, response: value(fieldset) })
      .then(function (data) {
        delete pending[id];
        if (!data.error) { saved.textContent = texts.saved + " " + new Date().toLocaleTimeString(); }
        else { saved.textContent = data.error.message; }
      })
      .catch(function () { pending[id] = fieldset; saved.textContent = texts.offline; });
  }

  function beat() {
    var waiting = Object.keys(pending);
    if (waiting.length) { waiting.forEach(function (id) { save(pending[id]); }); return; }
    post({}).catch(function () { saved.textContent = texts.offline; });
  }

  Array.prototype.forEach.call(root.querySelectorAll("fieldset.question"), function (fieldset) {
    fieldset.addEventListener("change", function () { save(fieldset); });
    fieldset.addEventListener("input", function (event) {
      if (event.target.tagName !== "TEXTAREA") { return; }
      var id = fieldset.dataset.question;
      window.clearTimeout(timers[id]);
      timers[id] = window.setTimeout(function () { save(fieldset); }, 800);
    });
  });

  document.getElementById("exam-submit").addEventListener("submit", function (event) {
    if (!window.confirm(texts.confirm)) { event.preventDefault(); }
  });

  draw();
  window.setInterval(function () { left -= 1; draw(); if (left <= 0) { post({}).catch(function () {}); } }, 1000);
  window.setInterval(beat, 15000);
  window.addEventListener("online", beat);
})();
