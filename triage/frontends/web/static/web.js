// Comfort only: every page works without this file. It (1) shows the print button, (2) sends a page that
// the browser restores from its back-forward cache to the start, so it never shows a previous person's
// answers, and (3) at a kiosk, asks "Still there?" after a while without a touch or key, and goes back to
// the welcome page when nobody answers. Any touch or key while the question is up only closes it.
(function () {
  "use strict";
  var body = document.body;

  var print = document.getElementById("print");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }

  window.addEventListener("pageshow", function (event) {
    if (event.persisted && body.hasAttribute("data-answers")) {
      body.hidden = true;
      window.location.replace("/");
    }
  });

  var idle = parseFloat(body.getAttribute("data-idle"));
  var warning = parseFloat(body.getAttribute("data-warning"));
  if (!(idle > 0) || !(warning > 0)) {
    return;
  }
  var box = document.getElementById("idle");
  var count = document.getElementById("idle-count");
  var stay = document.getElementById("idle-stay");
  var timer = null;
  var ticker = null;
  var warned = false;
  var before = null;

  function reset() {
    body.hidden = true;  // nothing of the page is left on the screen while the start page loads
    window.location.replace("/");
  }

  function warn() {
    warned = true;
    before = document.activeElement;
    var end = Date.now() + warning * 1000;
    count.textContent = String(Math.ceil(warning));
    box.hidden = false;
    stay.focus();
    ticker = window.setInterval(function () {
      var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      count.textContent = String(left);
      if (left <= 0) {
        window.clearInterval(ticker);
        reset();
      }
    }, 250);
  }

  function arm() {
    window.clearTimeout(timer);
    timer = window.setTimeout(warn, Math.max(0, idle - warning) * 1000);
  }

  function activity(event) {
    if (warned) {
      // The touch or key that answers "Still there?" does nothing else: no answer is chosen by accident.
      event.preventDefault();
      event.stopPropagation();
      warned = false;
      window.clearInterval(ticker);
      box.hidden = true;
      if (before && before.focus) {
        before.focus();
      }
    }
    arm();
  }

  ["pointerdown", "keydown", "touchstart", "wheel"].forEach(function (type) {
    document.addEventListener(type, activity, { capture: true, passive: false });
  });
  arm();
}());
