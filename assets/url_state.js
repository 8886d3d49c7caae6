/* The filter state in the URL query string, in the browser (wired in callbacks/url_state.py, which says why one
   callback handles both directions). Running here rather than on the server matters for speed: the figures'
   callbacks read the filter values this callback can write, so Dash holds them back until it has answered;
   in the browser that answer takes no round trip. */
(function () {
  "use strict";
  var STAGE = "statut", SECTOR = "secteur", ASSIGNEE = "commercial", FROM = "du", TO = "au";
  var DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

  /* `YYYY-MM-DD` of a real calendar day (a date picker may add a time), or null. */
  function isoDay(value) {
    var match = value ? DAY.exec(String(value).slice(0, 10)) : null;
    if (!match) {
      return null;
    }
    var day = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
    return day.getUTCMonth() === +match[2] - 1 && day.getUTCDate() === +match[3] ? match[0] : null;
  }

  function sortedUnique(values) {
    return Array.from(new Set(values || [])).sort();
  }

  /* The stages' names in funnel order; `stages` is the list of [name, URL slug] pairs, in that order. */
  function names(stages) {
    return stages.map(function (stage) { return stage[0]; });
  }

  /* One spelling of a selection: stages in funnel order, other values sorted, dates as `YYYY-MM-DD`. */
  function canonical(stageNames, values) {
    var chosen = new Set(values[0] || []);
    return [stageNames.filter(function (name) { return chosen.has(name); }), sortedUnique(values[1]),
            sortedUnique(values[2]), isoDay(values[3]), isoDay(values[4])];
  }

  /* `?statut=gagne&secteur=Banque&du=2026-11-01`, or "" when nothing is selected. */
  function encode(stages, values) {
    var slugOf = new Map(stages), selection = canonical(names(stages), values), query = new URLSearchParams();
    selection[0].forEach(function (name) { query.append(STAGE, slugOf.get(name)); });
    selection[1].forEach(function (value) { query.append(SECTOR, value); });
    selection[2].forEach(function (value) { query.append(ASSIGNEE, value); });
    if (selection[3]) { query.append(FROM, selection[3]); }
    if (selection[4]) { query.append(TO, selection[4]); }
    var text = query.toString();
    return text ? "?" + text : "";
  }

  /* The selection a query string describes; unknown keys, stages and malformed dates are ignored. */
  function decode(stages, search) {
    var query = new URLSearchParams(search || "");
    var nameOf = new Map(stages.map(function (stage) { return [stage[1], stage[0]]; }));
    var chosen = query.getAll(STAGE).filter(function (slug) { return nameOf.has(slug); })
      .map(function (slug) { return nameOf.get(slug); });
    return canonical(names(stages),
                     [chosen, query.getAll(SECTOR), query.getAll(ASSIGNEE), query.get(FROM), query.get(TO)]);
  }

  /* A control changed: write the query string (a new history entry). Otherwise (page load, back/forward, new
     options): write the controls the query string describes, unless they already show it. */
  function syncUrl(stages, valueProps, search, stagesValue, sectors, assignees, dueFrom, dueTo) {
    var noUpdate = window.dash_clientside.no_update;
    var unchanged = [noUpdate, noUpdate, noUpdate, noUpdate, noUpdate];
    var values = [stagesValue, sectors, assignees, dueFrom, dueTo];
    var byControl = window.dash_clientside.callback_context.triggered.some(function (trigger) {
      return valueProps.indexOf(trigger.prop_id) !== -1;
    });
    if (!byControl) {
      var wanted = decode(stages, search);
      var same = JSON.stringify(wanted) === JSON.stringify(canonical(names(stages), values));
      return [noUpdate].concat(same ? unchanged : wanted);
    }
    var written = encode(stages, values);
    return [written === (search || "") ? noUpdate : written].concat(unchanged);
  }

  window.crmUrlState = {canonical: canonical, encode: encode, decode: decode, syncUrl: syncUrl};
})();
