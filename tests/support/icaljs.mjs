// Parse an iCalendar stream from stdin with Mozilla's ical.js and print what it read as JSON.
// An independent reader for the feed tests: nothing here comes from the Python side.
// Runs from the directory where `ical.js` is installed (tests/events/calendar/conftest.py).
import ICAL from "ical.js";

// ical.js predates RFC 7986: it reads properties it does not know as raw, still-escaped
// text. Declare NAME (RFC 7986 section 5.1) and the X-WR- names as TEXT, as clients treat
// them. REFRESH-INTERVAL stays undeclared so that its type shows whether VALUE=DURATION is set.
for (const name of ["name", "x-wr-calname", "x-wr-caldesc", "x-wr-timezone"]) {
  ICAL.design.icalendar.property[name] ??= { defaultType: "text" };
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const root = new ICAL.Component(ICAL.parse(text));
if (root.name !== "vcalendar") throw new Error(`not a VCALENDAR: ${root.name}`);

// A TZID only resolves if its VTIMEZONE is registered; otherwise ical.js reads floating time.
const timezones = root.getAllSubcomponents("vtimezone");
for (const vtimezone of timezones) ICAL.TimezoneService.register(vtimezone);

const text_of = (component, name) => {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : value.toString();
};

const property = (component, name) => {
  const prop = component.getFirstProperty(name);
  if (!prop) return null;
  const value = prop.getFirstValue();
  return {
    value: value === null || value === undefined ? null : value.toString(),
    type: prop.type, // the VALUE parameter ends up here ("unknown" when absent)
  };
};

const instant = (time) => (time ? time.toJSDate().toISOString() : null);

const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const organizer = vevent.getFirstProperty("organizer");
  const geo = vevent.getFirstPropertyValue("geo");
  return {
    uid: event.uid,
    summary: event.summary ?? null,
    description: event.description ?? null,
    location: event.location ?? null,
    url: text_of(vevent, "url"),
    status: text_of(vevent, "status"),
    sequence: vevent.hasProperty("sequence") ? event.sequence : null,
    categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
    geo: geo ? [Number(geo[0]), Number(geo[1])] : null,
    organizer: organizer ? organizer.getFirstValue() : null,
    organizer_cn: organizer ? organizer.getParameter("cn") ?? null : null,
    start: instant(event.startDate),
    end: instant(event.endDate),
    start_zone: event.startDate ? event.startDate.zone.tzid : null,
    end_zone: event.endDate ? event.endDate.zone.tzid : null,
    has_attendee: vevent.hasProperty("attendee"),
    attendees: vevent.getAllProperties("attendee").length,
    // The first attendee (an invitation's member): address and the parameters iMIP reads.
    attendee: vevent.hasProperty("attendee")
      ? {
          value: vevent.getFirstProperty("attendee").getFirstValue(),
          cn: vevent.getFirstProperty("attendee").getParameter("cn") ?? null,
          partstat: vevent.getFirstProperty("attendee").getParameter("partstat") ?? null,
          rsvp: vevent.getFirstProperty("attendee").getParameter("rsvp") ?? null,
          role: vevent.getFirstProperty("attendee").getParameter("role") ?? null,
        }
      : null,
    last_modified: instant(vevent.getFirstPropertyValue("last-modified")),
    dtstamp: instant(vevent.getFirstPropertyValue("dtstamp")),
    transp: text_of(vevent, "transp"),
  };
});

const result = {
  prodid: text_of(root, "prodid"),
  version: text_of(root, "version"),
  method: text_of(root, "method"),
  name: text_of(root, "name"),
  x_wr_calname: text_of(root, "x-wr-calname"),
  x_wr_caldesc: text_of(root, "x-wr-caldesc"),
  x_wr_timezone: text_of(root, "x-wr-timezone"),
  description: text_of(root, "description"),
  url: text_of(root, "url"),
  refresh_interval: property(root, "refresh-interval"),
  x_published_ttl: text_of(root, "x-published-ttl"),
  timezones: timezones.map((tz) => tz.getFirstPropertyValue("tzid")),
  components: root.getAllSubcomponents().map((c) => c.name),
  has_attendee: events.some((e) => e.has_attendee),
  events,
};
process.stdout.write(JSON.stringify(result));
