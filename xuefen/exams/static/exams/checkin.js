// The candidate's check-in: the camera (getUserMedia) shows a live picture, a photo of it is sent
// with the one-time code; the server refuses a photo with no face or several, and the page then
// waits for the proctor's confirmation (it asks the server every 3 seconds). A static file: the
// Content-Security-Policy runs no inline script.
(function () {
  var root = document.getElementById("exam-checkin");
  if (!root) { return; }
  var texts = document.getElementById("checkin-texts").dataset;
  var video = document.getElementById("checkin-video");
  var canvas = document.getElementById("checkin-canvas");
  var turnOn = document.getElementById("checkin-camera");
  var take = document.getElementById("checkin-take");
  var code = document.getElementById("checkin-code");
  var message = document.getElementById("checkin-message");
  var start = document.getElementById("checkin-start");
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  var polling = null;

  function say(text, bad) {
    message.textContent = text;
    message.className = bad ? "error" : "";
  }

  function show(state) {
    if (state.admitted) {
      say(texts.admitted, false);
      start.hidden = false;
      if (polling) { window.clearInterval(polling); polling = null; }
    } else if (state.checkin === "pending") {
      say(texts.pending, false);
    } else if (state.checkin === "refused") {
      say(texts.refused, true);
    }
  }

  function poll() {
    fetch(root.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(show)
      .catch(function () {});
  }

  function camera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(texts.noCamera, true);
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        take.disabled = false;
      })
      .catch(function () { say(texts.noCamera, true); });
  }

  function send() {
    var width = video.videoWidth || 640;
    var height = video.videoHeight || 480;
    canvas.width = width;
    canvas.height = height;
    canvas.getContext("2d").drawImage(video, 0, 0, width, height);
    take.disabled = true;
    canvas.toBlob(function (blob) {
      var data = new FormData();
      data.append("code", code.value);
      data.append("photo", blob, "checkin.jpg");
      fetch(root.dataset.postUrl, {
        method: "POST", credentials: "same-origin", body: data,
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
      })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          take.disabled = false;
          if (body.error) { say(body.error.message, true); return; }
          show(body);
          if (!polling) { polling = window.setInterval(poll, 3000); }
        })
        .catch(function () { take.disabled = false; say(texts.failed, true); });
    }, "image/jpeg", 0.9);
  }

  if (turnOn) { turnOn.addEventListener("click", camera); }
  if (take) { take.addEventListener("click", send); }
  if (message.textContent.trim() && start.hidden) { polling = window.setInterval(poll, 3000); }
})();
