/* Refuse a file over the upload limit in the browser, before anything is sent, with a French message:
   dcc.Upload's max_size drops such a file silently. The limit is the data-max-bytes of the upload-limit element (window.crmIds.UPLOAD_LIMIT). */
(function () {
  var MEGABYTE = 1024 * 1024;

  function megabytes(size) {
    return (size / MEGABYTE).toLocaleString("fr-FR", {maximumFractionDigits: 1});
  }

  function checkSizes(event) {
    var zone = event.target && event.target.closest ? event.target.closest("#" + window.crmIds.UPLOAD_LIMIT) : null;
    if (!zone) {
      return;
    }
    var limit = Number(zone.dataset.maxBytes);
    var files = Array.from((event.dataTransfer ? event.dataTransfer.files : event.target.files) || []);
    var tooBig = files.filter(function (file) { return file.size > limit; });
    var message = tooBig.length === 0 ? null : "Fichier trop volumineux, non envoyé : " + tooBig.map(function (file) {
      return "« " + file.name + " » (" + megabytes(file.size) + " Mo)";
    }).join(", ") + ". La limite est de " + zone.dataset.limitText + " par fichier : découpez-le, ou importez-le " +
      "en ligne de commande (crm import).";
    window.dash_clientside.set_props(window.crmIds.UPLOAD_WARNING, {children: message});
  }

  document.addEventListener("drop", checkSizes, true);
  document.addEventListener("change", checkSizes, true);
})();
