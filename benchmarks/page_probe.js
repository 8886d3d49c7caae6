/* Injected by the browser benchmarks before the page's own scripts (CDP Page.addScriptToEvaluateOnNewDocument).

   Why in the page: the time an output takes to show its new value is only visible there. A MutationObserver
   notes, for each dashboard output, the animation frame in which its DOM last changed; `settle` waits until
   every output shows what the renderer's store holds (texts, figures, the grid's first page), no callback is
   pending and the outputs have been quiet for a while, then reports the last change. The benchmark sets
   window.__BENCH_OUTPUTS (the outputs' IDs) and window.__BENCH_GRID (the grid's ID) before this script.

   The callback requests are noted here too (a wrapper around `fetch` keeps each request body; Resource Timing
   gives the bytes received and the server's wait), not through DevTools' Network domain: with that domain on,
   Chromium spent about 10 ms more CPU per filter change reporting every request, a cost no founder's browser
   has. */
(function () {
  "use strict";
  var OUTPUTS = window.__BENCH_OUTPUTS;
  var GRID = window.__BENCH_GRID;
  var SELECTOR = OUTPUTS.map(function (id) { return "#" + CSS.escape(id); }).join(",");
  var POLL_MS = 10;
  /* `settle` checks for the end of a change less often: each check runs on the page's main thread while the
     outputs redraw, and checking every 10 ms rather than 60 made the measured change about 4 ms slower
     (changes alternating between the two intervals on one page, 150 warm changes each at 100 000 deals).
     The time reported comes from the MutationObserver's frames, not from these checks: as precise either way. */
  var SETTLE_POLL_MS = 60;
  /* Changes nobody sees: AG Grid's screen-reader announcement (written ~200 ms after the rows, debounced) and
     the renderer's loading flag (no style of the page reads it). */
  var UNSEEN_INSIDE = ".ag-aria-description-container";
  var UNSEEN_ATTRIBUTES = {"data-dash-is-loading": true};
  var probe = window.__bench = {changed: {}, gridAnswer: null, subscribed: false};
  var DASH_UPDATE = "_dash-update-component";
  var sentRequests = [];

  var pageFetch = window.fetch;
  window.fetch = function (resource, init) {
    if (String(resource).indexOf(DASH_UPDATE) === -1) {
      return pageFetch.apply(this, arguments);
    }
    var request = {at: performance.now(), body: init && typeof init.body === "string" ? init.body : ""};
    var answer = pageFetch.apply(this, arguments);
    request.returned = performance.now();
    sentRequests.push(request);
    return answer;
  };

  /* The callback's first output, as `id.property` ("?" for a body that is not a callback's). */
  function callbackName(body) {
    var first;
    try {
      first = JSON.parse(body).outputs;
    } catch (error) {
      return "?";
    }
    while (Array.isArray(first)) {
      first = first.length ? first[0] : null;
    }
    if (!first || typeof first !== "object") {
      return "?";
    }
    var name = typeof first.id === "object" ? (first.id.type || "?") : first.id;
    return name + "." + first.property.split("@")[0];
  }

  function dashServerMs(entry) {
    var timing = (entry.serverTiming || []).filter(function (metric) { return metric.name === "__dash_server"; });
    return timing.length ? timing[0].duration : null;
  }

  /* The callback requests sent since the last call, each with its Resource Timing entry: the one that started
     while that fetch call ran (a large body delays the start by a few ms). An answer still awaited counts 0
     bytes and 0 ms. */
  probe.drainRequests = function () {
    var entries = performance.getEntriesByType("resource").filter(function (entry) {
      return entry.name.indexOf(DASH_UPDATE) !== -1;
    });
    var used = new Set();
    var drained = sentRequests.map(function (request) {
      var match = null;
      entries.forEach(function (entry, index) {
        if (!used.has(index) && match === null && entry.startTime >= request.at - 1 &&
            entry.startTime <= request.returned + 1) {
          match = index;
        }
      });
      var entry = match === null ? null : entries[match];
      used.add(match);
      return {output: callbackName(request.body), body: request.body, requestBytes: new Blob([request.body]).size,
              responseBytes: entry ? entry.transferSize : 0,
              serverMs: entry ? entry.responseStart - entry.requestStart : 0,
              dashMs: entry ? dashServerMs(entry) : null,
              sentAt: entry ? entry.startTime : 0, answeredAt: entry ? entry.responseEnd : 0};
    });
    sentRequests = [];
    return drained;
  };

  /* A redraw brings hundreds of records on a few parents: each parent is looked up once (the lookups are the
     probe's own cost, inside the time it measures). */
  function noteChanges(records) {
    var nodes = new Set();
    records.forEach(function (record) {
      var node = record.target.nodeType === Node.ELEMENT_NODE ? record.target : record.target.parentElement;
      if (node && !UNSEEN_ATTRIBUTES[record.attributeName]) {
        nodes.add(node);
      }
    });
    var touched = new Set();
    nodes.forEach(function (node) {
      if (node.closest(UNSEEN_INSIDE)) {
        return;
      }
      var output = node.closest(SELECTOR);
      if (output) {
        touched.add(output.id);
      }
    });
    if (touched.size) {
      requestAnimationFrame(function () {
        var now = performance.now();
        touched.forEach(function (id) { probe.changed[id] = now; });
      });
    }
  }

  new MutationObserver(noteChanges).observe(document, {subtree: true, childList: true, characterData: true,
                                                       attributes: true});

  function props(id) {
    var state = window.store.getState();
    var node = state.layout;
    state.paths.strs[id].forEach(function (key) { node = node[key]; });
    return node.props;
  }

  /* Callbacks requested, running or waiting to be applied (what dash.testing's wait_for_callbacks reads). */
  function pendingCallbacks() {
    var callbacks = window.store.getState().callbacks;
    return Object.keys(callbacks).reduce(function (total, key) {
      return key === "stored" || key === "completed" ? total : total + callbacks[key].length;
    }, 0);
  }

  /* The grid's rows arrive two ways: an answer to its own request (dash-ag-grid empties getRowsResponse once
     consumed, so each answer is caught as it lands in the store) or, since the one-request filter change, page 1
     sent with the figures in the `grid-first-page` store (absent from older versions). */
  var FIRST_PAGE = "grid-first-page";

  function watchGridAnswers() {
    if (probe.subscribed) {
      return;
    }
    probe.subscribed = true;
    window.store.subscribe(function () {
      var firstPage = window.store.getState().paths.strs[FIRST_PAGE] ? props(FIRST_PAGE).data : null;
      [props(GRID).getRowsResponse, firstPage].forEach(function (answer) {
        if (answer && answer.rowData && (!probe.gridAnswer || probe.gridAnswer.answer !== answer)) {
          probe.gridAnswer = {answer: answer, at: performance.now()};
        }
      });
    });
  }

  function firstRowClient() {
    var cell = document.querySelector(
      "#" + GRID + ' .ag-center-cols-container .ag-row[row-index="0"] [col-id="client"]');
    var row = cell && cell.closest(".ag-row");
    return row && !row.classList.contains("ag-row-loading") ? cell.textContent : null;
  }

  /* The grid shows the first page of the last answer received after `since` (or any rows on a first render). */
  function gridShown(since) {
    if (since === null) {
      return Boolean(firstRowClient());
    }
    var caught = probe.gridAnswer;
    if (!caught || caught.at < since) {
      return false;
    }
    var rows = caught.answer.rowData || [];
    return rows.length ? firstRowClient() === rows[0].client : firstRowClient() === null;
  }

  function textShown(id) {
    var value = props(id).children;
    var element = document.getElementById(id);
    return element !== null && element.textContent === (value === null || value === undefined ? "" : String(value));
  }

  /* Plotly has drawn the store's figure (on a first render: a real one, not the "Chargement…" placeholder). */
  function figureShown(id, since) {
    var figure = props(id).figure;
    var plot = document.querySelector("#" + id + " .js-plotly-plot");
    return Boolean(plot && figure && plot.data === figure.data && (since !== null || figure.data.length));
  }

  function optionsShown(id) {
    var labels = (props(id).options || []).map(function (option) { return option.label; }).join("");
    var element = document.getElementById(id);
    return element !== null && element.textContent === labels;
  }

  /* Every output shows the store's value. `check` maps an output's ID to how it is read: text, figure, options. */
  function allShown(check, since) {
    return Object.keys(check).every(function (id) {
      var kind = check[id];
      if (kind === "figure") {
        return figureShown(id, since);
      }
      if (kind === "options") {
        return optionsShown(id);
      }
      if (kind === "grid") {
        return gridShown(since);
      }
      return textShown(id);
    });
  }

  /* The last frame after `since` in which one of `ids` (all outputs when omitted) changed; null if none did. */
  function lastChange(since, ids) {
    var last = null;
    (ids || Object.keys(probe.changed)).forEach(function (id) {
      var at = probe.changed[id];
      if (at !== undefined && at >= since && (last === null || at > last)) {
        last = at;
      }
    });
    return last;
  }

  function dashRequests(since) {
    return performance.getEntriesByType("resource").filter(function (entry) {
      return entry.name.indexOf("_dash-update-component") !== -1 && entry.startTime >= since;
    }).map(function (entry) {
      return {start: entry.startTime, requestStart: entry.requestStart, responseStart: entry.responseStart,
              end: entry.responseEnd, transfer: entry.transferSize, body: entry.encodedBodySize};
    });
  }

  /* The outputs on screen when the user acts: those inside the window (an empty one, such as the selection
     message, counts by its place). The grid counts by its first row, since its header can show at the foot of a
     laptop screen while its rows are below the fold. */
  function outputsOnScreen() {
    return OUTPUTS.filter(function (id) {
      var element = id === GRID
        ? document.querySelector("#" + CSS.escape(GRID) + ' .ag-center-cols-container .ag-row[row-index="0"]')
        : document.getElementById(id);
      if (!element || !element.getClientRects().length) {
        return false;
      }
      var box = element.getBoundingClientRect();
      return box.bottom >= 0 && box.top < window.innerHeight && box.right >= 0 && box.left < window.innerWidth;
    });
  }

  /* Poll until settled; answer {shownAt, requests} or {error}. `since` null = a first render from navigation.
     `onScreen` (the outputs in the window at the action) adds `onScreenShownAt`: when the last of them changed
     (the last change of all if none of them changed). */
  function settle(options, since, done, onScreen) {
    var origin = since === null ? 0 : since;
    var deadline = performance.now() + options.timeoutMs;
    function poll() {
      var now = performance.now();
      /* Every checked output in the layout: with Dash pages, a page's outputs arrive after the frame's. */
      var paths = window.store ? window.store.getState().paths.strs : {};
      if (Object.keys(options.check).every(function (id) { return paths[id]; })) {
        if (paths[GRID]) {
          watchGridAnswers();
        }
        var last = lastChange(origin);
        var ready = pendingCallbacks() === 0 && allShown(options.check, since) &&
          (!options.notEmpty || document.getElementById(options.notEmpty).textContent !== options.emptyText);
        if (ready && last !== null && now - last >= options.quietMs) {
          done({shownAt: last, since: origin, requests: dashRequests(origin), onScreen: onScreen || [],
                onScreenShownAt: onScreen ? (lastChange(origin, onScreen) || last) : last});
          return;
        }
      }
      if (now > deadline) {
        done({error: "not settled after " + options.timeoutMs + " ms",
              pending: window.store ? pendingCallbacks() : -1});
        return;
      }
      setTimeout(poll, SETTLE_POLL_MS);
    }
    poll();
  }

  /* A fresh page: from navigation start until every output shows its first value. */
  probe.firstRender = function (options, done) {
    settle(options, null, done);
  };

  /* One user action on the filters, timed from the action itself. */
  probe.change = function (action, options, done) {
    performance.clearResourceTimings();
    var onScreen = outputsOnScreen();
    var since = performance.now();
    if (action.click) {
      document.getElementById(action.click).click();
    } else {
      window.dash_clientside.set_props(action.id, action.props);
    }
    settle(options, since, done, onScreen);
  };

  /* The outputs settle after an action taken at `since` (a confirmed import): same rules as a filter change. */
  probe.settleSince = function (since, options, done) {
    settle(options, since, done);
  };

  /* A click as a user makes it; answers the time of the click. */
  probe.clickAt = function (id) {
    var at = performance.now();
    document.getElementById(id).click();
    return at;
  };

  /* When the user's file choice reached the page (the file input's change event), for the upload benchmark. */
  document.addEventListener("change", function (event) {
    if (event.target && event.target.type === "file") {
      probe.fileChosenAt = performance.now();
    }
  }, true);

  /* A step of a longer flow: wait until an output's text equals `text` (or contains it), and answer the frame
     that showed it (read in the next frame, after the observer's own frame callback has noted it). */
  probe.waitText = function (id, text, exact, timeoutMs, done) {
    var deadline = performance.now() + timeoutMs;
    function poll() {
      var element = document.getElementById(id);
      var shown = element && (exact ? element.textContent === text : element.textContent.indexOf(text) !== -1);
      if (shown) {
        requestAnimationFrame(function () { done({shownAt: probe.changed[id]}); });
        return;
      }
      if (performance.now() > deadline) {
        done({error: id + " never showed " + text, shows: element ? element.textContent.slice(0, 300) : null});
        return;
      }
      setTimeout(poll, POLL_MS);
    }
    poll();
  };

  /* Answers when no callback is pending any more (the time it saw that). */
  probe.waitIdle = function (timeoutMs, done) {
    var deadline = performance.now() + timeoutMs;
    function poll() {
      if (pendingCallbacks() === 0) {
        done({idleAt: performance.now()});
      } else if (performance.now() > deadline) {
        done({error: "callbacks still pending after " + timeoutMs + " ms"});
      } else {
        setTimeout(poll, POLL_MS);
      }
    }
    poll();
  };
})();
