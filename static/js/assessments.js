// Forms inside a [data-swap-errors] region show the server's answer in place also when it refuses
// the input (400) or the state does not allow it (409): htmx leaves error responses unswapped by default.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 409) && target && target.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
