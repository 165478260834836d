"""The clinic's figures for one location and period, aggregated in SQL in a fixed number of queries.

A period is a range of the location's calendar days (its wall clock, SPEC 3.3), read as the UTC
instants from local midnight of the first day to local midnight after the last. Every figure counts
the visits that *start* in the period (docs/decisions.md, "Reports"): bookings by source, attendance
(no-show and cancellation rates) by doctor, utilisation by doctor and weekday, lead time from
booking to visit, cancellations by reason and feedback answers. Weekdays are the location's.

Queries, whatever the length of the period: doctors (1), visits by doctor, status and source (1),
booked minutes by doctor and weekday (1), lead-time buckets (1), cancellation reasons (1), feedback
(1), working hours (1), time off (1). Offered time is working hours laid out on each local day of the
period in Python (like the slot engine), minus time off.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When
from django.db.models.functions import ExtractIsoWeekDay, Lower, Trim
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from appointments.models import (
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    TimeOff,
    Weekday,
    WorkingHours,
)
from appointments.slots import wall_end
from doctors.models import Doctor, Location
from notifications.models import Feedback

# Lead time buckets: (upper bound in hours, label). The last bucket has no upper bound.
LEAD_TIME_BUCKETS = [
    (24, gettext_noop("Under 1 day")),
    (72, gettext_noop("1–2 days")),
    (168, gettext_noop("3–6 days")),
    (336, gettext_noop("7–13 days")),
    (720, gettext_noop("14–29 days")),
    (None, gettext_noop("30 days or more")),
]
TOP_REASONS = 8  # cancellation reasons named one by one; the rest are "Other reasons"
CAME = [AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED]  # the patient was there
OPEN = [AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED]  # no outcome recorded (yet)


@dataclass
class Table:
    """One figure as rows and columns: what a chart draws, the page's table shows and a download holds.

    `columns` are the headings; each row is a list of cells: str (labels), int (counts) or float
    (percentages and hours, rounded to one decimal) or None (no value: a rate without a denominator).
    `chart` names how `reports.charts` draws it ("hbar", "bar", "stacked"), `series` the indexes of the
    columns it draws (the first column labels the bars), `percent` whether those columns are
    percentages (a 0–100 axis).
    """

    slug: str
    title: str
    summary: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    chart: str = "hbar"
    series: list[int] = field(default_factory=lambda: [1])
    percent: bool = False
    footer: list | None = None  # a totals row, shown and downloaded after the rows

    @property
    def chart_height(self) -> int:
        """The chart's height in CSS pixels: horizontal bars grow with the rows (one doctor each), so
        a clinic with thirty doctors gets readable bars; vertical ones keep 360."""
        if self.chart in ("hbar", "stacked"):
            return max(240, min(1200, 80 + 44 * len(self.rows)))
        return 360

    @property
    def is_empty(self) -> bool:
        return not self.rows or all(not any(row[i] for i in self.series) for row in self.rows)


def rate(part: int, whole: int) -> float | None:
    """`part` of `whole` as a percentage with one decimal; None when `whole` is 0 (no rate to tell)."""
    return round(100 * part / whole, 1) if whole else None


def hours(minutes: float) -> float:
    return round(minutes / 60, 1)


def period_bounds(location: Location, first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight before `first` and after `last` at `location`.

    `first` and `last` are calendar days on the location's wall clock, both included.
    """
    zone = location.zone
    start = datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


@dataclass
class Report:
    """Every figure of one location and period; build it with `Report.build`."""

    location: Location
    first: date
    last: date
    doctors: list[Doctor]
    tables: dict[str, Table]
    headline: dict

    @classmethod
    def build(cls, *, location: Location, first: date, last: date, only: set[str] | None = None) -> "Report":
        """Aggregate the figures of visits starting at `location` on its local days `first`..`last`.

        `only` limits the work to the sections named (the table slugs; a chart image needs one), so
        a chart costs only its own queries. Raises nothing for an empty period: tables come back with
        zeros, and rates as None.
        """
        start, end = period_bounds(location, first, last)
        visits = Appointment.objects.filter(location=location, starts_at__gte=start, starts_at__lt=end)
        doctors = list(
            Doctor.objects.filter(
                Exists(WorkingHours.objects.filter(doctor=OuterRef("pk"), location=location))
                | Exists(visits.filter(doctor=OuterRef("pk")))
            ).order_by("name", "pk")
        )
        builder = _Builder(location=location, first=first, last=last, start=start, end=end)
        builder.visits, builder.doctors = visits, doctors
        wanted = set(SECTIONS) if only is None else set(only)
        tables = {}
        for slug, method in SECTIONS.items():
            if slug in wanted:
                tables[slug] = getattr(builder, method)()
        return cls(location, first, last, doctors, tables, builder.headline())


@dataclass
class _Builder:
    location: Location
    first: date
    last: date
    start: datetime
    end: datetime
    visits: object = None
    doctors: list = field(default_factory=list)
    _counts: list | None = None
    _utilisation: tuple | None = None

    # Shared reads, each one query, made at most once per report.

    def counts(self) -> list[dict]:
        """Visits by doctor, status and source: [{"doctor_id", "status", "source", "n"}]."""
        if self._counts is None:
            self._counts = list(
                self.visits.order_by().values("doctor_id", "status", "source").annotate(n=Count("pk"))
            )
        return self._counts

    def utilisation(self) -> tuple[dict, dict]:
        """(offered, booked): minutes by (doctor id, ISO weekday 1-7) in the period."""
        if self._utilisation is None:
            self._utilisation = (self._offered_minutes(), self._booked_minutes())
        return self._utilisation

    def booked_within_offer(self) -> dict:
        """Booked minutes only of (doctor, weekday) cells that offered time: what totals across doctors
        divide by offered time, so a visit outside its doctor's hours (a walk-in squeezed in, a doctor
        with no hours here that day) does not raise another doctor's share. The doctor's own row still
        shows it, with no rate. Found by a tester: "All doctors" read 57 % where the one doctor with
        hours was at 48 %."""
        offered, booked = self.utilisation()
        return {cell: minutes for cell, minutes in booked.items() if offered.get(cell)}

    def _booked_minutes(self) -> dict:
        zone = self.location.zone
        rows = (
            self.visits.exclude(status=AppointmentStatus.CANCELLED)
            .order_by()
            .annotate(weekday=ExtractIsoWeekDay("starts_at", tzinfo=zone))
            .values("doctor_id", "weekday")
            .annotate(length=Sum(F("ends_at") - F("starts_at")))
        )
        return {(r["doctor_id"], r["weekday"]): r["length"].total_seconds() / 60 for r in rows}

    def _offered_minutes(self) -> dict:
        """Working hours at this location on each local day of the period, minus time off, in minutes.

        Hours are the doctors' current weekly hours (no history of past hours is kept); each interval is
        laid out on the local day and measured in real minutes between its UTC ends, so a day the clocks
        change has its real length. Overlapping intervals count once.
        """
        zone = self.location.zone
        weekly = defaultdict(list)
        for hours_row in WorkingHours.objects.filter(location=self.location).order_by():
            weekly[(hours_row.doctor_id, hours_row.weekday)].append((hours_row.starts_at, hours_row.ends_at))
        doctor_ids = {doctor_id for doctor_id, _ in weekly}
        absences = defaultdict(list)
        for off in TimeOff.objects.filter(
            doctor_id__in=doctor_ids, starts_at__lt=self.end, ends_at__gt=self.start
        ).order_by():
            absences[off.doctor_id].append((off.starts_at, off.ends_at))
        offered = defaultdict(float)
        day = self.first
        while day <= self.last:
            for doctor_id in doctor_ids:
                ranges = []
                for starts_at, ends_at in weekly.get((doctor_id, day.weekday()), ()):
                    begin = datetime.combine(day, starts_at, tzinfo=zone).astimezone(UTC)
                    finish = wall_end(day, ends_at).replace(tzinfo=zone).astimezone(UTC)
                    if finish > begin:
                        ranges.append((begin, finish))
                if ranges:
                    free = _subtract(_merge(ranges), _merge(absences.get(doctor_id, ())))
                    minutes = sum((b - a).total_seconds() for a, b in free) / 60
                    offered[(doctor_id, day.isoweekday())] += minutes
            day += timedelta(days=1)
        return dict(offered)

    # Sections: each returns one Table.

    def sources(self) -> Table:
        by_source = defaultdict(int)
        for row in self.counts():
            by_source[row["source"]] += row["n"]
        total = sum(by_source.values())
        return Table(
            slug="sources",
            title=_("Bookings by source"),
            summary=_("Visits in the period by how they were booked, cancelled ones included."),
            columns=[_("Source"), _("Bookings"), _("Share (%)")],
            rows=[
                [str(label), by_source[value], rate(by_source[value], total)]
                for value, label in AppointmentSource.choices
            ],
            footer=[_("All sources"), total, rate(total, total)],
        )

    def attendance(self) -> Table:
        per = defaultdict(lambda: defaultdict(int))
        for row in self.counts():
            per[row["doctor_id"]][row["status"]] += row["n"]
        rows = []
        totals = defaultdict(int)
        for doctor in self.doctors:
            statuses = per.get(doctor.pk, {})
            row = self._attendance_row(doctor.name, statuses)
            if row[1]:
                rows.append(row)
            for status, n in statuses.items():
                totals[status] += n
        return Table(
            slug="attendance",
            title=_("No-shows and cancellations by doctor"),
            summary=_(
                "No-show rate: no-shows among the visits with an outcome (came or did not come). "
                "Cancellation rate: cancelled among all bookings. Open visits (booked or confirmed, "
                "no outcome yet) count in bookings only."
            ),
            columns=[
                _("Doctor"),
                _("Bookings"),
                _("Came"),
                _("No-shows"),
                _("No-show rate (%)"),
                _("Cancelled"),
                _("Cancellation rate (%)"),
                _("Open"),
            ],
            rows=rows,
            chart="bar",
            series=[4, 6],
            percent=True,
            footer=self._attendance_row(_("All doctors"), totals),
        )

    @staticmethod
    def _attendance_row(label: str, statuses: dict) -> list:
        bookings = sum(statuses.values())
        came = sum(statuses.get(s, 0) for s in CAME)
        no_shows = statuses.get(AppointmentStatus.NO_SHOW, 0)
        cancelled = statuses.get(AppointmentStatus.CANCELLED, 0)
        still_open = sum(statuses.get(s, 0) for s in OPEN)
        return [
            label,
            bookings,
            came,
            no_shows,
            rate(no_shows, came + no_shows),
            cancelled,
            rate(cancelled, bookings),
            still_open,
        ]

    def utilisation_doctor(self) -> Table:
        offered, booked = self.utilisation()
        rows = []
        for doctor in self.doctors:
            o = sum(v for (d, _), v in offered.items() if d == doctor.pk)
            b = sum(v for (d, _), v in booked.items() if d == doctor.pk)
            if o or b:
                rows.append([doctor.name, hours(o), hours(b), rate(b, o)])
        total_o, total_b = sum(offered.values()), sum(self.booked_within_offer().values())
        return Table(
            slug="utilisation-doctor",
            title=_("Utilisation by doctor"),
            summary=_(
                "Booked time (visits not cancelled, no-shows included) as a share of offered time "
                "(working hours at this location minus time off)."
            ),
            columns=[_("Doctor"), _("Offered hours"), _("Booked hours"), _("Utilisation (%)")],
            rows=rows,
            series=[3],
            percent=True,
            footer=[_("All doctors"), hours(total_o), hours(total_b), rate(total_b, total_o)],
        )

    def utilisation_weekday(self) -> Table:
        offered, booked = self.utilisation()[0], self.booked_within_offer()
        rows = []
        for number, label in Weekday.choices:
            iso = number + 1
            o = sum(v for (_, w), v in offered.items() if w == iso)
            b = sum(v for (_, w), v in booked.items() if w == iso)
            rows.append([str(label), hours(o), hours(b), rate(b, o)])
        return Table(
            slug="utilisation-weekday",
            title=_("Utilisation by weekday"),
            summary=_("All doctors at this location, by the location's weekday."),
            columns=[_("Weekday"), _("Offered hours"), _("Booked hours"), _("Utilisation (%)")],
            rows=rows,
            chart="bar",
            series=[3],
            percent=True,
        )

    def utilisation_grid(self) -> Table:
        offered, booked = self.utilisation()
        rows = []
        for doctor in self.doctors:
            cells = [
                rate(booked.get((doctor.pk, iso), 0), offered.get((doctor.pk, iso), 0)) for iso in range(1, 8)
            ]
            if any(offered.get((doctor.pk, iso)) or booked.get((doctor.pk, iso)) for iso in range(1, 8)):
                rows.append([doctor.name, *cells])
        return Table(
            slug="utilisation-grid",
            title=_("Utilisation by doctor and weekday"),
            summary=_(
                "Each doctor's booked share of offered time on each weekday; empty where none was offered."
            ),
            columns=[_("Doctor"), *[str(label) for _, label in Weekday.choices]],
            rows=rows,
            chart="bar",
            series=list(range(1, 8)),
            percent=True,
        )

    def lead_time(self) -> Table:
        # One CASE per visit, tried in bucket order until one matches (each bucket's lower bound is the
        # previous one's upper bound), then grouped: a visit costs at most one comparison per bucket.
        bucket = Case(
            *(
                When(starts_at__lt=F("created_at") + timedelta(hours=upper), then=Value(index))
                for index, (upper, _label) in enumerate(LEAD_TIME_BUCKETS)
                if upper is not None
            ),
            default=Value(len(LEAD_TIME_BUCKETS) - 1),
            output_field=IntegerField(),
        )
        grouped = self.visits.order_by().annotate(bucket=bucket).values("bucket").annotate(n=Count("pk"))
        counts = {f"bucket_{index}": 0 for index in range(len(LEAD_TIME_BUCKETS))}
        counts |= {f"bucket_{row['bucket']}": row["n"] for row in grouped}
        total = sum(counts.values())
        return Table(
            slug="lead-time",
            title=_("Lead time from booking to visit"),
            summary=_("How long before the visit it was booked (cancelled visits included)."),
            columns=[_("Booked ahead"), _("Bookings"), _("Share (%)")],
            rows=[
                [_(label), counts[f"bucket_{index}"], rate(counts[f"bucket_{index}"], total)]
                for index, (_upper, label) in enumerate(LEAD_TIME_BUCKETS)
            ],
            chart="bar",
            footer=[_("All bookings"), total, rate(total, total)],
        )

    def cancel_reasons(self) -> Table:
        cancelled = self.visits.filter(status=AppointmentStatus.CANCELLED).order_by()
        grouped = list(
            cancelled.annotate(key=Lower(Trim("cancel_reason")))
            .values("key")
            .annotate(n=Count("pk"))
            .order_by("-n", "key")
        )
        total = sum(row["n"] for row in grouped)
        named = [row for row in grouped if row["key"]][:TOP_REASONS]
        blank = sum(row["n"] for row in grouped if not row["key"])
        other = total - blank - sum(row["n"] for row in named)
        # The label is the grouped text with a capital first letter: the same on every database (which
        # spelling of a group comes "first" depends on the database's collation).
        rows = [[row["key"][:1].upper() + row["key"][1:], row["n"], rate(row["n"], total)] for row in named]
        if other:
            rows.append([_("Other reasons"), other, rate(other, total)])
        if blank:
            rows.append([_("No reason given"), blank, rate(blank, total)])
        return Table(
            slug="cancel-reasons",
            title=_("Cancellations by reason"),
            summary=_(
                "Reasons as typed, grouped regardless of case and surrounding spaces; the %(n)s most "
                "common are named."
            )
            % {"n": TOP_REASONS},
            columns=[_("Reason"), _("Cancellations"), _("Share (%)")],
            rows=rows,
            footer=[_("All cancellations"), total, rate(total, total)],
        )

    def feedback(self) -> Table:
        answers = {
            row["appointment__doctor_id"]: row
            for row in Feedback.objects.filter(appointment__in=self.visits)
            .order_by()
            .values("appointment__doctor_id")
            .annotate(
                yes=Count("pk", filter=Q(would_recommend=True)),
                no=Count("pk", filter=Q(would_recommend=False)),
            )
        }
        completed = defaultdict(int)
        for row in self.counts():
            if row["status"] == AppointmentStatus.COMPLETED:
                completed[row["doctor_id"]] += row["n"]
        rows = []
        for doctor in self.doctors:
            row = answers.get(doctor.pk, {"yes": 0, "no": 0})
            if row["yes"] or row["no"] or completed[doctor.pk]:
                rows.append(self._feedback_row(doctor.name, row["yes"], row["no"], completed[doctor.pk]))
        yes = sum(r["yes"] for r in answers.values())
        no = sum(r["no"] for r in answers.values())
        return Table(
            slug="feedback",
            title=_("Feedback: would you recommend the doctor?"),
            summary=_("Answers from patients after a completed visit in the period."),
            columns=[
                _("Doctor"),
                _("Yes"),
                _("No"),
                _("Would recommend (%)"),
                _("Completed visits"),
                _("Answered (%)"),
            ],
            rows=rows,
            chart="stacked",
            series=[1, 2],
            footer=self._feedback_row(_("All doctors"), yes, no, sum(completed.values())),
        )

    @staticmethod
    def _feedback_row(label, yes, no, completed) -> list:
        return [label, yes, no, rate(yes, yes + no), completed, rate(yes + no, completed)]

    def headline(self) -> dict:
        """The figures at a glance: bookings, no-show and cancellation rates, utilisation, busiest weekday.

        Uses only what the sections already read (no query of its own when they ran).
        """
        figures = {}
        if self._counts is not None:
            totals = defaultdict(int)
            for row in self._counts:
                totals[row["status"]] += row["n"]
            row = self._attendance_row("", totals)
            figures |= {"bookings": row[1], "no_show_rate": row[4], "cancellation_rate": row[6]}
        if self._utilisation is not None:
            offered, booked = self._utilisation
            figures["utilisation"] = rate(sum(self.booked_within_offer().values()), sum(offered.values()))
            by_day = defaultdict(float)
            for (_doctor, iso), minutes in booked.items():
                by_day[iso] += minutes
            if by_day:
                busiest = max(sorted(by_day), key=lambda iso: by_day[iso])
                figures["busiest_weekday"] = Weekday(busiest - 1).label
        return figures


def _merge(ranges) -> list[tuple[datetime, datetime]]:
    merged: list[list[datetime]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _subtract(ranges, holes) -> list[tuple[datetime, datetime]]:
    """`ranges` minus `holes` (both merged and sorted)."""
    left = []
    for start, end in ranges:
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                left.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
        if cursor < end:
            left.append((cursor, end))
    return left


# Section slug -> builder method, in page order.
SECTIONS = {
    "sources": "sources",
    "attendance": "attendance",
    "utilisation-weekday": "utilisation_weekday",
    "utilisation-doctor": "utilisation_doctor",
    "utilisation-grid": "utilisation_grid",
    "lead-time": "lead_time",
    "cancel-reasons": "cancel_reasons",
    "feedback": "feedback",
}
