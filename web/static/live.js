// Live updates for the foi dashboard. The pages work without this script;
// it only reloads a page when something new is recorded (server-sent
// events from /events), unless the person is in the middle of something:
// then it shows a notice with a link to reload.
(function () {
  "use strict";
  if (!window.EventSource) return;
  var first = null;
  var busy = false;
  document.addEventListener("input", function () { busy = true; });
  document.addEventListener("change", function () { busy = true; });
  var es = new EventSource("/events");
  es.addEventListener("change", function (ev) {
    if (first === null) { first = ev.data; return; }
    if (ev.data === first) return;
    first = ev.data;
    if (!busy && !document.querySelector("textarea:focus, input:focus, select:focus")) {
      window.location.reload();
      return;
    }
    var note = document.getElementById("live-note");
    if (note) note.hidden = false;
  });
})();
