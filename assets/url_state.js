/* The filter state in the URL query string, in the browser (wired in callbacks/url_state.py, which says why
   the two directions are two callbacks and why they run here). */
(function () {
  "use strict";
  var STAGE = "statut", SECTOR = "secteur", ASSIGNEE = "commercial", FROM = "du", TO = "au", MISSING = "manque",
      SEARCH = "q", VIEW = "vue";
  var DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
  var SEARCH_MAX_LENGTH = 100;  /* domain/deal_filter.py SEARCH_MAX_LENGTH */

  /* `YYYY-MM-DD` of a real calendar day (a date picker may add a time), or null. */
  function isoDay(value) {
    var match = value ? DAY.exec(String(value).slice(0, 10)) : null;
    if (!match) {
      return null;
    }
    var day = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
    return day.getUTCMonth() === +match[2] - 1 && day.getUTCDate() === +match[3] ? match[0] : null;
  }

  /* The search as the filter holds it (domain/deal_filter.py `clean_search`): trimmed, runs of spaces
     collapsed, at most SEARCH_MAX_LENGTH characters (code points, as Python counts them). */
  function cleanSearch(value) {
    var words = typeof value === "string" ? value.split(/\s+/).filter(Boolean) : [];
    return Array.from(words.join(" ")).slice(0, SEARCH_MAX_LENGTH).join("").trimEnd();
  }

  function sortedUnique(values) {
    return Array.from(new Set(values || [])).sort();
  }

  /* The stages' names in funnel order; `stages` is the list of [name, URL slug] pairs, in that order. */
  function names(stages) {
    return stages.map(function (stage) { return stage[0]; });
  }

  /* One spelling of a selection: stages in funnel order, other values sorted, dates as `YYYY-MM-DD`. The
     values are in the order of the filter controls (callbacks/selection.py FILTER_PROPS): stages, sectors,
     salespeople, due from, due to, missing data, text search. */
  function canonical(stageNames, values) {
    var chosen = new Set(values[0] || []);
    return [stageNames.filter(function (name) { return chosen.has(name); }), sortedUnique(values[1]),
            sortedUnique(values[2]), isoDay(values[3]), isoDay(values[4]), sortedUnique(values[5]),
            cleanSearch(values[6])];
  }

  /* `?statut=gagne&secteur=Banque&du=2026-11-01`, or "" when nothing is selected. */
  function encode(stages, values) {
    var slugOf = new Map(stages), selection = canonical(names(stages), values), query = new URLSearchParams();
    selection[0].forEach(function (name) { query.append(STAGE, slugOf.get(name)); });
    selection[1].forEach(function (value) { query.append(SECTOR, value); });
    selection[2].forEach(function (value) { query.append(ASSIGNEE, value); });
    if (selection[3]) { query.append(FROM, selection[3]); }
    if (selection[4]) { query.append(TO, selection[4]); }
    selection[5].forEach(function (value) { query.append(MISSING, value); });
    if (selection[6]) { query.append(SEARCH, selection[6]); }
    var text = query.toString();
    return text ? "?" + text : "";
  }

  /* `query` (a selection's, from `encode`) with the grid's scope (`vue=`) that `search` holds, kept last. */
  function withView(query, search) {
    var view = new URLSearchParams(search || "").get(VIEW);
    if (!view) {
      return query;
    }
    return (query ? query + "&" : "?") + new URLSearchParams([[VIEW, view]]).toString();
  }

  /* The grid's scope changed: write it in the URL in place (no history entry: back goes to the previous
     selection, not the previous scope); `slugs` maps each scope to its `vue=` value, none for every deal. */
  function writeView(slugs, scope) {
    var location = window.location, query = new URLSearchParams(location.search);
    query.delete(VIEW);
    if (slugs[scope]) {
      query.append(VIEW, slugs[scope]);
    }
    var text = query.toString();
    window.history.replaceState(null, "", location.pathname + (text ? "?" + text : "") + location.hash);
  }

  /* The selection a query string describes; unknown keys, stages and malformed dates are ignored, and of
     several `q=` the first counts. */
  function decode(stages, search) {
    var query = new URLSearchParams(search || "");
    var nameOf = new Map(stages.map(function (stage) { return [stage[1], stage[0]]; }));
    var chosen = query.getAll(STAGE).filter(function (slug) { return nameOf.has(slug); })
      .map(function (slug) { return nameOf.get(slug); });
    return canonical(names(stages),
                     [chosen, query.getAll(SECTOR), query.getAll(ASSIGNEE), query.get(FROM), query.get(TO),
                      query.getAll(MISSING), query.get(SEARCH)]);
  }

  /* True when the query string already describes this selection (perhaps spelled another way). */
  function shows(stages, search, values) {
    return JSON.stringify(decode(stages, search)) === JSON.stringify(canonical(names(stages), values));
  }

  /* A control changed: push the query string of the new selection as a new history entry, unless the URL
     already describes it (the controls were just set from the URL: page load, back, forward). */
  function writeUrl(stages, stagesValue, sectors, assignees, dueFrom, dueTo, missing, search) {
    var values = [stagesValue, sectors, assignees, dueFrom, dueTo, missing, search], location = window.location;
    if (!shows(stages, location.search, values)) {
      window.history.pushState(null, "", location.pathname + withView(encode(stages, values), location.search)
                               + location.hash);
    }
  }

  var heardStore = null, moves = 0;

  /* Back and forward change the URL without a Dash event: count them in the `historyStore` store. */
  function hearHistory(historyStore) {
    if (heardStore !== historyStore) {
      heardStore = historyStore;
      window.addEventListener("popstate", function () {
        moves += 1;
        window.dash_clientside.set_props(historyStore, {data: moves});
      });
    }
  }

  /* The selection without the values its dropdown does not offer (a stale link: a sector no deal has any
     more). `optionLists` holds each dropdown's options at its value's place (null for the dates); one not
     filled yet keeps its values; the dates and the search have none. */
  function offered(selection, optionLists) {
    return selection.map(function (values, index) {
      var options = optionLists[index];
      if (!options || !options.length || !Array.isArray(values)) {
        return values;
      }
      var allowed = new Set(options.map(function (option) { return option.value; }));
      return values.filter(function (value) { return allowed.has(value); });
    });
  }

  /* Page load, back/forward, or new options: set the controls to the selection the URL describes, unless
     they already show it. Values no dropdown offers are dropped here, and the URL is corrected in place
     (no new history entry): left to the dropdown, dropping them would push a new entry, and back would land
     on the stale link again, forever. */
  function readUrl(stages, historyStore, optionLists, stagesValue, sectors, assignees, dueFrom, dueTo, missing,
                   search) {
    hearHistory(historyStore);
    var location = window.location;
    var wanted = offered(decode(stages, location.search), optionLists);
    var query = withView(encode(stages, wanted), location.search);
    if (query !== location.search) {
      window.history.replaceState(null, "", location.pathname + query + location.hash);
    }
    if (shows(stages, query, [stagesValue, sectors, assignees, dueFrom, dueTo, missing, search])) {
      throw window.dash_clientside.PreventUpdate;
    }
    return wanted;
  }

  window.crmUrlState = {canonical: canonical, encode: encode, decode: decode, writeUrl: writeUrl,
                         readUrl: readUrl, writeView: writeView};
})();
