// The learning player: opens a server-issued learning session and reports what the learner does
// (play, pause, seek, speed, page visibility, ticks) with the session's next sequence number.
// The server decides what counts; this page only shows what it decided.
(function () {
  "use strict";
  var root = document.getElementById("learn");
  if (!root) return;
  var video = document.getElementById("video");
  var length = parseFloat(root.dataset.length);
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var words = {};
  document.getElementById("words").content.querySelectorAll("span").forEach(function (s) {
    words[s.dataset.key] = s.textContent;
  });
  var status = document.getElementById("status");
  var promptBox = document.getElementById("prompt");
  var token = null, seq = 0, queue = Promise.resolve(), lastTime = 0, dead = false;
  var readSeconds = 0, pendingPrompt = "";

  function position() {
    return video ? video.currentTime : Math.min(readSeconds, length);
  }
  function rate() {
    return video ? video.playbackRate : 1;
  }
  function device() {
    var id = "";
    try {
      id = localStorage.getItem("xuefen-device") || "";
      if (!id) {
        id = Math.random().toString(36).slice(2) + Date.now().toString(36);
        localStorage.setItem("xuefen-device", id);
      }
    } catch (e) { /* private mode */ }
    return id;
  }
  function show(result) {
    if (typeof result.watched === "number") {
      document.getElementById("watched-seconds").textContent = Math.round(result.watched);
      document.getElementById("watched-share").textContent =
        Math.min(100, Math.round((100 * result.watched) / length));
    }
    // `refusal` is the stable code compared here; `refusal_label` the server's words for it
    if (result.refusal === "superseded") {
      dead = true;
      if (video) video.pause();
      status.textContent = words.other_session;
    } else if (result.refusal === "ended" || result.refusal === "logged_out") {
      // the log-in (and with it the learning) has ended: nothing more would count
      dead = true;
      if (video) video.pause();
      status.textContent = result.refusal_label || words.refused;
    } else if (result.refusal) {
      status.textContent = words.refused + " " + (result.refusal_label || "");
    } else if (result.error) {
      status.textContent = result.error.message;
    }
    if (result.completed) status.textContent = words.completed;
    if (result.prompt && result.prompt !== pendingPrompt) {
      pendingPrompt = result.prompt;
      promptBox.hidden = false;
    }
  }
  function send(kind, extra) {
    if (!token || dead) return queue;
    var body = { token: token, seq: ++seq, kind: kind, position: position(), rate: rate() };
    if (extra) Object.keys(extra).forEach(function (k) { body[k] = extra[k]; });
    queue = queue.then(function () {
      return fetch(root.dataset.event, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }).then(function (r) { return r.json(); }).then(show).catch(function () {
        status.textContent = words.offline;
      });
    });
    return queue;
  }
  window.xuefenLearning = { send: send, settled: function () { return queue; } };

  var form = new URLSearchParams();
  form.set("csrfmiddlewaretoken", csrf);
  form.set("position", "0");
  form.set("device", device());
  fetch(root.dataset.start, { method: "POST", credentials: "same-origin", body: form })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      if (!data.token) {
        if (data.error) status.textContent = data.error.message;
        return;
      }
      token = data.token;
      root.dataset.ready = "1";
      setInterval(function () {
        var playing = video ? !video.paused && !video.ended : document.visibilityState === "visible";
        if (playing) send("tick");
      }, (data.heartbeat || 15) * 1000);
    });

  document.getElementById("prompt-answer").addEventListener("click", function () {
    promptBox.hidden = true;
    send("answer", { answer: pendingPrompt });
  });
  document.addEventListener("visibilitychange", function () {
    send(document.visibilityState === "hidden" ? "hidden" : "visible");
  });
  window.addEventListener("pagehide", function () {
    if (!token || dead) return;
    var body = { token: token, seq: ++seq, kind: "pause", position: position(), rate: rate() };
    navigator.sendBeacon(root.dataset.event, JSON.stringify(body));
  });
  if (video) {
    video.addEventListener("timeupdate", function () {
      if (!video.seeking) lastTime = video.currentTime;
    });
    video.addEventListener("play", function () { send("play"); });
    video.addEventListener("pause", function () { if (!video.ended) send("pause"); });
    video.addEventListener("ended", function () { send("ended"); });
    video.addEventListener("ratechange", function () { send("tick"); });
    video.addEventListener("seeking", function () {
      var from = lastTime;
      lastTime = video.currentTime;
      send("seek", { from: from });
    });
  } else {
    setInterval(function () {
      if (document.visibilityState === "visible" && readSeconds < length) readSeconds += 1;
    }, 1000);
  }
})();
