/* Loading states for late answers only. Dash marks an output whose answer is awaited with
   `data-dash-is-loading`; dashboard.css dims it (with a spinner over the charts) only while the page root has
   the `crm-slow` class. This script sets that class while a callback request has been awaited SLOW_MS or more,
   and removes it as soon as none is. Dash's renderer reports each request sent and each answer received
   (its `request_pre` and `request_post` hooks, wired in app.py).

   Why not a CSS delay on the mark itself: every filter change then started and cancelled a transition and two
   spinner animations on twenty elements, for nothing anyone sees under 250 ms. Why not a MutationObserver on
   the mark: watching attributes across the page made every attribute plotly writes cost more. Each cost
   about 10 ms of the browser's CPU per filter change, measured in interleaved runs of the two versions (the
   method of benchmarks/compare_browser.py). Named 01- so that it loads before dashboard.js, which listens to it. */
(function () {
  "use strict";
  var SLOW_MS = 250, RECHECK_MS = 100, SLOW_CLASS = "crm-slow", MARKED = '[data-dash-is-loading="true"]';
  var CHANGE_EVENT = "crm-slow-answers";  // sent on the document when answers become late, or none is any more
  var sentAt = new Map();  // request payload -> when it was sent, until its answer arrives
  var timer = null;

  function schedule(delay) {
    if (timer === null) {
      timer = setTimeout(check, delay);
    }
  }

  function check() {
    timer = null;
    if (document.querySelector(MARKED) === null) {
      sentAt.clear();  // nothing awaited: drop the requests Dash never reports back (errors, prevented updates)
    }
    var now = performance.now(), oldest = Math.min.apply(null, Array.from(sentAt.values()));
    var late = now - oldest >= SLOW_MS;
    if (late !== document.documentElement.classList.contains(SLOW_CLASS)) {
      document.documentElement.classList.toggle(SLOW_CLASS, late);
      document.dispatchEvent(new Event(CHANGE_EVENT));
    }
    if (sentAt.size) {
      schedule(late ? RECHECK_MS : SLOW_MS - (now - oldest));
    }
  }

  window.crmSlowAnswers = {
    lateAfterMs: SLOW_MS,  // the one threshold: the grid's loading overlay (dashboard.js) uses it too
    changeEvent: CHANGE_EVENT,
    /* Whether a request with this output (`component.prop`) has been awaited SLOW_MS or more. */
    late: function (output) {
      var now = performance.now();
      return Array.from(sentAt.entries()).some(function (entry) {
        return now - entry[1] >= SLOW_MS && String(entry[0].output).indexOf(output) !== -1;
      });
    },
    sent: function (payload) {
      sentAt.set(payload, performance.now());
      schedule(SLOW_MS);
    },
    answered: function (payload) {
      sentAt.delete(payload);
      if (!sentAt.size && timer !== null) {
        clearTimeout(timer);
        check();
      }
    }
  };
})();
