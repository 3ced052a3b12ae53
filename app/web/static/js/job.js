// A long job's page: poll its state, move the progress bar, go to the result when done.
(function () {
  "use strict";
  var box = document.querySelector(".job[data-state-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-state-url");
  var bar = document.getElementById("progress");
  var pct = document.getElementById("job-pct");
  var statusText = document.getElementById("job-status-text");
  var message = document.getElementById("job-message");
  var error = document.getElementById("job-error");
  var cancel = document.getElementById("cancel-form");
  var delayMs = 400;
  var elapsed = box.querySelector(".job-elapsed");
  var started = elapsed ? Date.parse(elapsed.getAttribute("data-started")) : NaN;
  var running = true;

  function tick() {
    if (!elapsed || isNaN(started) || !running) { return; }
    var s = Math.max(0, Math.round((Date.now() - started) / 1000));
    elapsed.textContent = elapsed.getAttribute("data-template").replace("{s}", String(s));
    window.setTimeout(tick, 1000);
  }
  tick();

  function show(s) {
    bar.value = s.progress;
    bar.textContent = Math.round(s.progress * 100) + " %";
    pct.textContent = String(Math.round(s.progress * 100));
    statusText.textContent = s.status_text;
    message.textContent = s.message;
    box.setAttribute("data-status", s.status);
    if (s.error) { error.textContent = s.error; error.hidden = false; }
    if (s.finished) { running = false; if (cancel) { cancel.hidden = true; } }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        show(s);
        if (s.result_url) { window.location.assign(s.result_url); return; }
        if (!s.finished) { window.setTimeout(poll, delayMs); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 200);
})();
