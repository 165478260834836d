// Reads one iCalendar file on stdin the way Thunderbird and Nextcloud do (Mozilla's ical.js) and
// prints what a calendar client would show as JSON: for each VEVENT its UID, TZID, the start and end
// as UTC instants (ISO 8601, "Z"), and the wall-clock start in the file's own zone.
// The time zone comes only from the file's VTIMEZONE: nothing is registered with ical.js beforehand.
// Used by tests/appointments/test_calendar_clients.py; exits non-zero on a file ical.js cannot read.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));

const utc = (time) => time.convertToZone(ICAL.Timezone.utcTimezone).toString().replace(/(\d\d:\d\d:\d\d)$/, "$1Z");

const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    tzid: component.getFirstProperty("dtstart").getParameter("tzid") ?? null,
    start_utc: utc(event.startDate),
    end_utc: utc(event.endDate),
    start_local: event.startDate.toString(),
  };
});
const timezones = calendar.getAllSubcomponents("vtimezone").map((zone) => ({
  tzid: zone.getFirstPropertyValue("tzid"),
  observances: zone.getAllSubcomponents().length,
}));
process.stdout.write(JSON.stringify({ events, timezones }));
