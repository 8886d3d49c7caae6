/* Loading states for slow answers only. Dash marks an output whose answer is awaited with
   `data-dash-is-loading`; dashboard.css dims it (with a spinner over the charts) only while the page root has
   the `crm-slow` class. This script sets that class once an output has waited SLOW_MS, and removes it as soon
   as none waits.

   Why not a CSS delay on the mark itself: every filter change then started and cancelled a transition and two
   spinner animations on twenty elements, for nothing anyone sees under 250 ms; that cost about 8 ms of the
   browser's time per change (benchmarks/browser_benchmark.py). */
(function () {
  "use strict";
  var MARK = "data-dash-is-loading", SLOW_CLASS = "crm-slow", SLOW_MS = 250, RECHECK_MS = 100;
  var timer = null;

  function waiting() {
    return document.querySelector("[" + MARK + '="true"]') !== null;
  }

  function check() {
    var root = document.documentElement;
    if (waiting()) {
      root.classList.add(SLOW_CLASS);
      timer = setTimeout(check, RECHECK_MS);
    } else {
      root.classList.remove(SLOW_CLASS);
      timer = null;
    }
  }

  new MutationObserver(function (records) {
    var started = records.some(function (record) { return record.target.getAttribute(MARK) === "true"; });
    if (started && timer === null) {
      timer = setTimeout(check, SLOW_MS);
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: [MARK]});
})();
