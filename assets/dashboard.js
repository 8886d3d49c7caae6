/* Clientside callbacks: browser-only work that needs no server round trip. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  crm: {
    /* Open or close the filter panel on a phone (it is always open on a laptop, see dashboard.css). */
    toggle: function (clicks, isOpen) {
      return !isOpen;
    },

    /* Empty the grid's block cache and go back to page 1: the grid then asks the server again. */
    refreshGrid: function () {
      dash_ag_grid.getApiAsync("table-deadlines").then(function (api) {
        api.purgeInfiniteCache();
        api.paginationGoToFirstPage();
      });
    },

    /* Show the database message; on recovery close the alert only if it still shows that message. */
    databaseAlert: function (message, shown) {
      var crm = window.dash_clientside.crm;
      if (message) {
        crm.databaseMessage = message;
        return [message, true];
      }
      if (shown && shown === crm.databaseMessage) {
        return [null, false];
      }
      return [window.dash_clientside.no_update, window.dash_clientside.no_update];
    }
  }
});
