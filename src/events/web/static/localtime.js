// Progressive enhancement: under each <time data-local> (written in the event's time zone),
// add a line with the same moment in the visitor's own time zone and UTC offset.
// Without JavaScript the page is complete; with it, visitors elsewhere need no arithmetic.
(function () {
  "use strict";
  var here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var day = { weekday: "short", month: "short", day: "numeric", year: "numeric" };
  var clock = { hour: "numeric", minute: "2-digit" };

  function offset(date) {
    var minutes = -date.getTimezoneOffset();
    var sign = minutes < 0 ? "\u2212" : "+";
    minutes = Math.abs(minutes);
    var text = "UTC" + sign + Math.floor(minutes / 60);
    return minutes % 60 ? text + ":" + String(minutes % 60).padStart(2, "0") : text;
  }

  document.querySelectorAll("time[data-local]").forEach(function (el) {
    if (el.dataset.tz === here) return;
    var start = new Date(el.getAttribute("datetime"));
    if (isNaN(start.getTime())) return;
    var end = el.dataset.end ? new Date(el.dataset.end) : null;
    var text = start.toLocaleString(undefined, Object.assign({}, day, clock));
    if (end && !isNaN(end.getTime())) {
      var sameDay = start.toDateString() === end.toDateString();
      text += " \u2013 " + end.toLocaleString(undefined, sameDay ? clock : Object.assign({}, day, clock));
    }
    var line = document.createElement("span");
    line.className = "local-time";
    line.textContent = "Your time: " + text + " (" + offset(start) + ")";
    el.insertAdjacentElement("afterend", line);
  });
})();
