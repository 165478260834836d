"""The staff schedules as a time grid: time down the side in rows of five minutes, one column per doctor
(the day) or per day (a doctor's week), visits as blocks that span their length, free slots as light
cells, working hours as open bands and the current time as a line.

SPEC 3.5 and issue 12 item 1. The placement is plain arithmetic on aware datetimes (no ORM): a cell's
grid row is the time elapsed since its column's origin, so a visit on the night the clocks change
still spans its real length. The page's CSS cannot be written inline (CSP), so every position is a
class (`dg-r<row>`, `dg-s<span>`, `dg-o<minutes>`) from `static/css/daygrid.css`, which `stylesheet()`
writes (`manage.py daygrid_css`; a test keeps the file and this module in step).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from appointments.models import AppointmentStatus
from appointments.slots import END_OF_DAY
from clinic.wallclock import wall_clock

ROW_MINUTES = 5
# Overlapping visits side by side, at most this many lanes.
MAX_LANES = 4
# A day is at most 25 hours long (the night the clocks go back): rows and spans never exceed this.
MAX_ROWS = 25 * 60 // ROW_MINUTES
# The grid opens and closes on a half hour; a day with no hours and no visits shows office hours.
SNAP_MINUTES = 30
DEFAULT_EXTENT = (9 * 60, 17 * 60)
# Workflow order for the counts in a column's header.
STATUS_ORDER = [
    AppointmentStatus.BOOKED,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
    AppointmentStatus.CANCELLED,
]


@dataclass(frozen=True)
class Placement:
    """Where a cell sits in its column: first grid row (1-based), rows spanned, and minutes past that
    row's start (0-4, only the "now" line uses it)."""

    row: int
    span: int = 1
    minutes: int = 0

    @property
    def css(self) -> str:
        """The classes that place it: "dg-r13 dg-s4" (plus "dg-o2" for a sub-row offset)."""
        classes = f"dg-r{self.row} dg-s{self.span}"
        return f"{classes} dg-o{self.minutes}" if self.minutes else classes


@dataclass
class Cell:
    """One thing in a column: kind "visit" (an `appointment`), "free" (a bookable `slot`) or "open" (a
    band of working hours, decoration only). `time` is the wall-clock start ("09:40")."""

    kind: str
    start: datetime
    placement: Placement
    time: str = ""
    appointment: object = None
    slot: object = None
    lane: int = 0
    lanes: int = 1

    @property
    def lane_css(self) -> str:
        """ "dg-lanes dg-n2 dg-i1" for the second of two overlapping visits side by side; "" when alone."""
        return f"dg-lanes dg-n{self.lanes} dg-i{self.lane}" if self.lanes > 1 else ""


@dataclass
class Column:
    """A doctor (day view) or a day (week view): its cells in time order, counts by status, and the
    cancelled visits (not drawn: their time is free again, so they are listed apart)."""

    key: str
    day: date
    origin: datetime | None = None
    doctor: object = None
    cells: list[Cell] = field(default_factory=list)
    counts: list[tuple[str, str]] = field(default_factory=list)
    free: int = 0
    cancelled: list = field(default_factory=list)
    now: Placement | None = None


@dataclass
class Grid:
    """Rows, hour labels [(Placement, "09:00")], the columns, and where "now" is (None when off-grid)."""

    rows: int
    labels: list[tuple[Placement, str]]
    columns: list[Column]
    now: Placement | None = None
    now_text: str = ""

    @property
    def cancelled_count(self) -> int:
        return sum(len(column.cancelled) for column in self.columns)


def local_minutes(moment: datetime, zone: ZoneInfo) -> int:
    """Minutes since local midnight of an aware instant in `zone` (wall clock, 0-1439)."""
    local = moment.astimezone(zone)
    return local.hour * 60 + local.minute


def extent(spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The grid's wall-clock range in minutes since midnight, snapped out to half hours, from
    (start, end) minute pairs (an end of 1440 is midnight at the end of the day). Nothing given:
    `DEFAULT_EXTENT`."""
    if not spans:
        return DEFAULT_EXTENT
    first = min(start for start, _ in spans)
    last = max(end for _, end in spans)
    first -= first % SNAP_MINUTES
    last += -last % SNAP_MINUTES
    return first, min(max(last, first + SNAP_MINUTES), 24 * 60)


def origin(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of `minutes` past local midnight on `day` in `zone` (a time skipped by the clocks
    reads with the offset before the change, as the slot engine does)."""
    wall = datetime.combine(day, time.min) + timedelta(minutes=minutes)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def place(start: datetime, end: datetime, grid_origin: datetime, rows: int) -> Placement:
    """Rows for the interval [start, end) of aware instants in a column starting at `grid_origin`,
    clipped to the grid's `rows`; at least one row, so a five-minute visit still shows."""
    first = int((start - grid_origin).total_seconds() // 60) // ROW_MINUTES
    last = -(-int((end - grid_origin).total_seconds() // 60) // ROW_MINUTES)
    first = min(max(first, 0), rows - 1)
    last = min(max(last, first + 1), rows)
    return Placement(row=first + 1, span=last - first)


def place_now(now: datetime, grid_origin: datetime, rows: int) -> Placement | None:
    """The "now" line's row and minutes into it, or None when `now` is outside the column."""
    minutes = (now - grid_origin).total_seconds() / 60
    if not 0 <= minutes < rows * ROW_MINUTES:
        return None
    return Placement(row=int(minutes // ROW_MINUTES) + 1, minutes=int(minutes % ROW_MINUTES))


def status_counts(appointments) -> list[tuple[str, str]]:
    """[(status, "3 completed")] for each status present, in workflow order (SPEC 3.5: counts by status,
    so a day of completed visits never reads "0 booked"). Cancelled visits are not counted here: they
    are not drawn (their time is free again) and are listed under the grid instead."""
    tally: dict[str, int] = {}
    for appointment in appointments:
        tally[appointment.status] = tally.get(appointment.status, 0) + 1
    return [
        (status, f"{tally[status]} {AppointmentStatus(status).label.lower()}")
        for status in STATUS_ORDER
        if tally.get(status) and status != AppointmentStatus.CANCELLED
    ]


def hours_minutes(starts_at: time, ends_at: time) -> tuple[int, int]:
    """A working-hours row as minutes since midnight; an end of 00:00 is 1440 (midnight at the end)."""
    end = 24 * 60 if ends_at == END_OF_DAY else ends_at.hour * 60 + ends_at.minute
    return starts_at.hour * 60 + starts_at.minute, end


def build(
    *,
    columns: list[Column],
    zone: ZoneInfo,
    now: datetime,
    hours: dict[str, list[tuple[int, int]]],
    visits: dict[str, list],
    free: dict[str, list],
    time_style: str = "clock",
) -> Grid:
    """Fill `columns` (each with its `key` and local `day`) and return the grid.

    `hours`: per column key, the working intervals as (start, end) minutes since local midnight in
    `zone` (an end of 1440 is midnight); `visits`: per key, appointments of any status (cancelled ones
    are listed apart, not drawn); `free`: per key, free `Slot`s; `now`: an aware instant. The axis is
    read in `zone` (the location's, or the doctor's main location's for a week); every time shown goes
    through `clinic.wallclock`, in `time_style` ("clock" under a heading that names the zone, as on the
    day; "time", with the abbreviation, on a week that may cross a change of the clocks). The wall-clock
    range covers every column's hours and visits.
    """
    spans = [span for key in hours for span in hours[key]]
    for appointments in visits.values():
        for appointment in appointments:
            if appointment.status != AppointmentStatus.CANCELLED:
                first = local_minutes(appointment.starts_at, zone)
                length = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
                spans.append((first, min(first + max(length, ROW_MINUTES), 24 * 60)))
    first, last = extent(spans)
    rows = 1
    for column in columns:
        column.origin = origin(column.day, first, zone)
        length = (origin(column.day, last, zone) - column.origin).total_seconds() // 60
        rows = max(rows, int(length) // ROW_MINUTES)
    rows = min(rows, MAX_ROWS)
    for column in columns:
        _fill(
            column,
            rows,
            zone,
            now,
            time_style,
            hours.get(column.key, []),
            visits.get(column.key, []),
            free.get(column.key, []),
        )
    reference = columns[0].origin if columns else origin(now.astimezone(zone).date(), first, zone)
    step = SNAP_MINUTES // ROW_MINUTES
    labels = [
        (
            Placement(row=row + 1),
            wall_clock(reference + timedelta(minutes=row * ROW_MINUTES), zone).format("clock"),
        )
        for row in range(0, rows, step)
    ]
    current = next((column.now for column in columns if column.now), None)
    return Grid(
        rows=rows,
        labels=labels,
        columns=columns,
        now=current,
        now_text=wall_clock(now, zone).format("clock") if current else "",
    )


def _fill(
    column: Column, rows: int, zone: ZoneInfo, now: datetime, style: str, hours, appointments, slots
) -> None:
    for start_minutes, end_minutes in hours:
        start, end = origin(column.day, start_minutes, zone), origin(column.day, end_minutes, zone)
        column.cells.append(Cell(kind="open", start=start, placement=place(start, end, column.origin, rows)))
    column.counts = status_counts(appointments)
    for appointment in appointments:
        if appointment.status == AppointmentStatus.CANCELLED:
            column.cancelled.append(appointment)
            continue
        column.cells.append(
            Cell(
                kind="visit",
                start=appointment.starts_at,
                placement=place(appointment.starts_at, appointment.ends_at, column.origin, rows),
                time=wall_clock(appointment).format(style),
                appointment=appointment,
            )
        )
    _assign_lanes([cell for cell in column.cells if cell.kind == "visit"])
    # A slot the engine offers where a visit is still drawn (a no-show marked before its end, a visit
    # completed early) is not shown as free: the grid never stacks two things in one place.
    drawn = [
        (cell.appointment.starts_at, cell.appointment.ends_at)
        for cell in column.cells
        if cell.kind == "visit"
    ]
    slots = [slot for slot in slots if not any(start < slot.end and slot.start < end for start, end in drawn)]
    column.free = len(slots)
    for slot in slots:
        column.cells.append(
            Cell(
                kind="free",
                start=slot.start,
                placement=place(slot.start, slot.end, column.origin, rows),
                time=wall_clock(slot).format(style),
                slot=slot,
            )
        )
    # Bands first (drawn underneath), then visits and free cells in time order for screen readers.
    column.cells.sort(key=lambda cell: (cell.kind != "open", cell.start))
    column.now = place_now(now, column.origin, rows)


def day_grid(*, doctors, day: date, zone: ZoneInfo, now: datetime, hours, appointments, free) -> Grid:
    """The day view: a column per doctor (in the order given) on the local `day` at one location.

    `hours`: (doctor id, starts_at, ends_at) working-hours rows of that location and weekday;
    `appointments`: that day's appointments there (decorated, any status); `free`: {doctor id: free
    slots there}. Columns are keyed by doctor slug.
    """
    columns = [Column(key=doctor.slug, day=day, doctor=doctor) for doctor in doctors]
    slug = {doctor.pk: doctor.slug for doctor in doctors}
    by_key: dict[str, list] = {column.key: [] for column in columns}
    open_hours: dict[str, list[tuple[int, int]]] = {column.key: [] for column in columns}
    for doctor_id, starts_at, ends_at in hours:
        if doctor_id in slug:
            open_hours[slug[doctor_id]].append(hours_minutes(starts_at, ends_at))
    for appointment in appointments:
        if appointment.doctor_id in slug:
            by_key[slug[appointment.doctor_id]].append(appointment)
    slots = {slug[doctor_id]: found for doctor_id, found in free.items() if doctor_id in slug}
    return build(columns=columns, zone=zone, now=now, hours=open_hours, visits=by_key, free=slots)


def week_grid(*, doctor, days: list[date], zone: ZoneInfo, now: datetime, hours, appointments, free) -> Grid:
    """A doctor's week: a column per local day in `days`, on the axis of `zone` (the doctor's main
    location). `hours`: (weekday, starts_at, ends_at) rows at any location (read as wall-clock times of
    `zone`: a doctor's locations share one zone in practice); `appointments`: decorated, with
    `local_start`; `free`: the week's free slots. Columns are keyed by ISO date.
    """
    columns = [Column(key=day.isoformat(), day=day, doctor=doctor) for day in days]
    open_hours: dict[str, list[tuple[int, int]]] = {column.key: [] for column in columns}
    for column in columns:
        for weekday, starts_at, ends_at in hours:
            if weekday == column.day.weekday():
                open_hours[column.key].append(hours_minutes(starts_at, ends_at))
    visits: dict[str, list] = {column.key: [] for column in columns}
    for appointment in appointments:
        key = appointment.local_start.date().isoformat()
        if key in visits:
            visits[key].append(appointment)
    slots: dict[str, list] = {column.key: [] for column in columns}
    for slot in free:
        key = slot.local_date.isoformat()
        if key in slots:
            slots[key].append(slot)
    return build(
        columns=columns, zone=zone, now=now, hours=open_hours, visits=visits, free=slots, time_style="time"
    )


def _assign_lanes(cells: list[Cell]) -> None:
    """Overlapping visits (a no-show and the walk-in booked into its time) sit side by side: each group
    of overlapping visits is split into lanes, at most `MAX_LANES` (more share the last one)."""
    group: list[Cell] = []
    group_end = None
    for cell in [*sorted(cells, key=lambda c: (c.appointment.starts_at, c.appointment.ends_at)), None]:
        if cell is None or group_end is None or cell.appointment.starts_at >= group_end:
            lane_ends: list[datetime] = []
            for member in group:
                free = next(
                    (n for n, end in enumerate(lane_ends) if end <= member.appointment.starts_at), None
                )
                if free is None:
                    lane_ends.append(member.appointment.ends_at)
                    free = len(lane_ends) - 1
                else:
                    lane_ends[free] = member.appointment.ends_at
                member.lane = min(free, MAX_LANES - 1)
            for member in group:
                member.lanes = min(len(lane_ends), MAX_LANES)
            group, group_end = [], None
        if cell is not None:
            group.append(cell)
            end = cell.appointment.ends_at
            group_end = end if group_end is None else max(group_end, end)


def stylesheet() -> str:
    """The placement classes of `static/css/daygrid.css`: a row start, a span and a sub-row offset for
    every position a 25-hour day can need. Written once by `manage.py daygrid_css`, never at runtime."""
    lines = [
        "/* Generated by appointments.daygrid.stylesheet() (manage.py daygrid_css): do not edit by hand. */",
        "/* Placement of the staff time grid's cells (CSP forbids inline styles). */",
    ]
    lines += [f".dg-r{n} {{ grid-row-start: {n}; }}" for n in range(1, MAX_ROWS + 1)]
    lines += [f".dg-s{n} {{ grid-row-end: span {n}; }}" for n in range(1, MAX_ROWS + 1)]
    lines += [
        f".dg-o{n} {{ transform: translateY(calc(var(--dg-row) * {n} / {ROW_MINUTES})); }}"
        for n in range(1, ROW_MINUTES)
    ]
    lines += [f".dg-n{n} {{ --dg-lanes: {n}; }}" for n in range(2, MAX_LANES + 1)]
    lines += [f".dg-i{n} {{ --dg-lane: {n}; }}" for n in range(1, MAX_LANES)]
    return "\n".join(lines) + "\n"
