/* Clientside callbacks: browser-only work that needs no server round trip. */
(function () {
  "use strict";
  var GRID = window.crmIds.TABLE_DEADLINES, RECHECK_MS = 100;
  var lateRowsTimer = null, lateRowsShown = false, databaseDown = false;

  /* True while the grid fetches a page. */
  function rowsAwaited(api) {
    var blocks = api.getCacheBlockState() || {};
    return Object.keys(blocks).some(function (block) { return blocks[block].pageStatus !== "loaded"; });
  }

  /* The due date as typed in the deal form goes with each of its buttons' clicks (store `deal-date-text`, read
     before Dash sends the click): Dash's date picker gives back no date at all for text it cannot read
     ("31/02/2026"), which a save would take for "no due date", losing what the founder typed without a word.
     The server then judges the text with the import's rules and says why beside the field. */
  var dateTextSent = null;
  document.addEventListener("click", function (event) {
    var target = event.target;
    var form = target && target.closest ? target.closest(".modal") : null;
    var dateInput = form ? form.querySelector("[id='{\"key\":\"date_echeance\",\"type\":\"" +
                                               window.crmIds.DEAL_DATE + "\"}']") : null;
    if (!dateInput || !target.closest("button") || dateInput.value === dateTextSent) {
      return;
    }
    dateTextSent = dateInput.value;
    window.dash_clientside.set_props(window.crmIds.DEAL_DATE_TEXT, {data: dateTextSent});
  }, true);

  /* A date typed in a range picker ("Du", "Au") is taken when the field loses focus, as a Tab would take it. Dash's
     picker reads typed text only on Enter or Tab: typed then left with a click elsewhere, the date stayed in the
     field while the figures ignored it, so the page showed a range it was not filtering on. Unreadable text empties
     the field, and the figures drop that date with it. Range pickers only (they have a start field): the deal
     form's single picker keeps unreadable text as typed, for the server to judge (above). */
  document.addEventListener("focusout", function (event) {
    var input = event.target;
    var picker = input && input.closest ? input.closest(".dash-datepicker-input-wrapper") : null;
    if (picker && input.tagName === "INPUT" && picker.querySelector(".dash-datepicker-start-date")) {
      input.dispatchEvent(new KeyboardEvent("keydown", {key: "Tab", bubbles: true}));
    }
  }, true);

  /* The grid's own "Chargement…" overlay while its new rows are late (after the same delay as the other
     outputs, assets/01-slow-answers.js), whether the grid asked for them or they come with a filter change's
     figures: a refresh in place keeps the old rows on screen, and they must not pass for the new selection's.
     Not while the database is down: no rows will come, the alert says why, and the grid keeps its last rows
     like every other output keeps its last value. */
  function markLateRows(api) {
    var slow = window.crmSlowAnswers;
    var late = !databaseDown && (rowsAwaited(api) || slow.late(window.crmIds.GRID_FIRST_PAGE + ".data"));
    if (late !== lateRowsShown) {
      lateRowsShown = late;
      api.setGridOption("loading", late);
    }
    return late;
  }

  /* Mark the rows late, after `delay` ms, and check again until they are not. */
  function watchLateRows(api, delay) {
    clearTimeout(lateRowsTimer);
    lateRowsTimer = setTimeout(function check() {
      lateRowsTimer = markLateRows(api) ? setTimeout(check, RECHECK_MS) : null;
    }, delay);
  }

  /* A late filter change brings the grid's rows late too (01-slow-answers.js loads first and says when): look
     at once, then until the rows are in (an answer received is drawn a moment later). */
  document.addEventListener(window.crmSlowAnswers.changeEvent, function () {
    dash_ag_grid.getApiAsync(GRID).then(function (api) {
      watchLateRows(api, 0);
    });
  });

  /* Page 1 of the latest figures' answer, until the grid takes it. */
  var sentPage = null;

  function sortKey(model) {
    return JSON.stringify((model || []).map(function (item) { return [item.colId, item.sort]; }));
  }

  /* On a phone the grid scrolls its columns sideways: the client stays pinned at the left, wide enough for a
     name, so a due date scrolled into view still says whose deal it is. Wider screens show every column at once,
     the client's sharing the width (layouts/deadlines.py). */
  var NARROW_SCREEN = window.matchMedia("(max-width: 767.98px)"), PHONE_CLIENT_WIDTH = 150;

  function fitClientColumn(api) {
    api.applyColumnState({applyOrder: true, state: [NARROW_SCREEN.matches
      ? {colId: "client", pinned: "left", flex: null, width: PHONE_CLIENT_WIDTH}
      : {colId: "client", pinned: null, flex: api.getColumnDef("client").flex}]});  /* first again once unpinned */
  }

  dash_ag_grid.getApiAsync(GRID).then(function (api) {
    fitClientColumn(api);
    NARROW_SCREEN.addEventListener("change", function () { fitClientColumn(api); });
  });

  /* The grid's rows come from dash-ag-grid's datasource (a server request), except page 1 when the figures'
     answer brought it in the grid's current sort. Installed once per grid; installing reloads the grid. */
  function installDatasource(api) {
    if (api.crmDatasource) {
      return false;
    }
    var server = api.getGridOption("datasource");
    api.crmDatasource = {
      getRows: function (params) {
        var page = sentPage;
        sentPage = null;
        if (page && params.startRow === 0 && sortKey(params.sortModel) === sortKey(page.sortModel)) {
          params.successCallback(page.rowData, page.rowCount);
        } else {
          server.getRows(params);
        }
      },
      destroy: function () {
        if (server.destroy) {
          server.destroy();
        }
      }
    };
    api.setGridOption("datasource", api.crmDatasource);
    return true;
  }

  /* Show page 1 of the new selection (`page`, or from the server when null). On page 1 already, the cached page
     is refreshed in place: the old rows stay on screen until the new ones arrive. Emptying the cache instead
     draws ten "Chargement…" rows first, a flash on every filter change and about 30 ms more of the browser's
     work; it is kept for a move back from another page, which has nothing on screen worth keeping. */
  function showPage1(api, page) {
    sentPage = page;
    if (installDatasource(api)) {
      api.paginationGoToFirstPage();
    } else if (api.paginationGetCurrentPage() === 0) {
      api.refreshInfiniteCache();
    } else {
      api.purgeInfiniteCache();
      api.paginationGoToFirstPage();
    }
    watchLateRows(api, window.crmSlowAnswers.lateAfterMs);
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    crm: {
      /* The selection with the clicked bar's label added, or removed if it was there (a second click undoes the
         first). Bars are keyed on their label, which a horizontal bar carries as `y`. */
      toggledLabel: function (click, chosen) {
        var points = (click && click.points) || [], current = chosen || [];
        /* Labels reach plotly with <, > and & escaped (layouts/figures.py, plotly_text): decode them back. */
        var label = points.length && typeof points[0].y === "string" ? points[0].y.replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">").replace(/&amp;/g, "&") : null;
        if (label === null || label === undefined) {
          return null;
        }
        return current.indexOf(label) === -1 ? current.concat([label])
          : current.filter(function (value) { return value !== label; });
      },

      /* A chart click: toggle the clicked bar in the filter (the last argument is its current value). */
      toggleClicked: function () {
        var chosen = arguments[arguments.length - 1];
        var click = window.dash_clientside.callback_context.triggered[0].value;
        var toggled = window.dash_clientside.crm.toggledLabel(click, chosen);
        if (toggled === null) {
          throw window.dash_clientside.PreventUpdate;
        }
        return toggled;
      },

      /* A click on a grid cell opens the deal form on its row, unless the cell is edited in place (a double
         click edits it; its single click must not open the form over the editor). */
      dealOfClick: function (click) {
        var api = click && dash_ag_grid.getApi(GRID);
        var column = api && api.getColumn(click.colId);
        var row = api && api.getDisplayedRowAtIndex(click.rowIndex);
        if (!row || !row.data || (column && column.getColDef().editable)) {
          throw window.dash_clientside.PreventUpdate;
        }
        return {id: row.data.id, at: click.timestamp || Date.now()};
      },

      /* A step's confirm button (the form's body, built afresh at each opening): the moment it was pressed, and
         nothing when the button has only just appeared, so that its server callback is asked only for a click. */
      stepConfirmed: function (clicks) {
        if (!(clicks || []).some(Boolean)) {
          throw window.dash_clientside.PreventUpdate;
        }
        return Date.now();
      },

      /* A data-health link: toggle its `manque=` value in the "Données à compléter" filter (last argument). */
      toggleMissing: function () {
        var chosen = arguments[arguments.length - 1] || [];
        var trigger = window.dash_clientside.callback_context.triggered[0];
        if (!trigger || !trigger.value) {
          throw window.dash_clientside.PreventUpdate;
        }
        var missing = JSON.parse(trigger.prop_id.slice(0, trigger.prop_id.lastIndexOf("."))).key;
        return chosen.indexOf(missing) === -1 ? chosen.concat([missing])
          : chosen.filter(function (value) { return value !== missing; });
      },

      /* Open or close the filter panel on a phone (it is always open on a laptop, see dashboard.css). */
      toggle: function (clicks, isOpen) {
        return !isOpen;
      },

      /* Show page 1 of the new selection, sent with its figures (callbacks/dashboard.py) when it was read in the
         grid's scope; otherwise (or for a value without rows: a refused edit's) the grid asks the server. */
      showFirstPage: function (page, scope) {
        dash_ag_grid.getApiAsync(GRID).then(function (api) {
          showPage1(api, page && page.rowData && page.scope === scope ? page : null);
        });
      },

      /* Download the export the button asked for: its signed link (callbacks/exports.py), followed as a
         download so the page stays; the file streams from the server. */
      followDownload: function (link) {
        if (!link) {
          return;
        }
        var anchor = document.createElement("a");
        anchor.href = link;
        anchor.download = "";
        document.body.appendChild(anchor);
        anchor.click();
        anchor.remove();
      },

      /* Ask the server for page 1 again (a new scope). */
      refreshGrid: function () {
        dash_ag_grid.getApiAsync(GRID).then(function (api) {
          showPage1(api, null);
        });
      },

      /* Show the database message; on recovery close the alert only if it still shows that message. */
      databaseAlert: function (message, shown) {
        var crm = window.dash_clientside.crm;
        databaseDown = Boolean(message);
        var unchanged = window.dash_clientside.no_update;
        if (message) {
          crm.databaseMessage = message;
          return [message, true, "danger", null, {display: "none"}];
        }
        if (shown && shown === crm.databaseMessage) {
          return [null, false, unchanged, unchanged, unchanged];
        }
        return [unchanged, unchanged, unchanged, unchanged, unchanged];
      }
    }
  });
})();
