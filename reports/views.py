"""Clinic reports under /staff/reports/: the page with every chart and table, each chart as an SVG
image, and each table as a CSV or .xlsx download.

All three read the same GET parameters (`location`, `date_from`, `date_to`; default: the user's
location and last month on its calendar), so a report is a link to share. Permission is checked on
every request (`reports.access`); a location outside the user's scope is "not a valid choice" (a
400), the same answer as for one that does not exist (docs/decisions.md, "Reports").
"""

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from reports import charts, downloads
from reports.access import report_locations, reports_required
from reports.figures import SECTIONS, Report
from reports.forms import ReportForm, last_month


def _choice(request) -> tuple[ReportForm, list, dict | None]:
    """The form, the user's locations, and the chosen {location, first, last, query} or None when the
    input is invalid (the form then holds the messages) or the user has no location.

    Without parameters: the user's first location and the last calendar month on its clock. A
    location outside the user's scope is "not a valid choice", like one that does not exist.
    """
    locations = list(report_locations(request.user))
    if not locations:
        return ReportForm(locations=locations), locations, None
    if any(key in request.GET for key in ("location", "date_from", "date_to")):
        data = {key: request.GET.get(key, "")[:40] for key in ("location", "date_from", "date_to")}
    else:
        location = locations[0]
        first, last = last_month(timezone.now().astimezone(location.zone).date())
        data = {"location": location.slug, "date_from": first.isoformat(), "date_to": last.isoformat()}
    form = ReportForm(data, locations=locations)
    if not form.is_valid():
        return form, locations, None
    return (
        form,
        locations,
        {
            "location": form.cleaned_data["location"],
            "first": form.cleaned_data["date_from"],
            "last": form.cleaned_data["date_to"],
            "query": urlencode(data),
        },
    )


@method_decorator([require_GET, reports_required], name="dispatch")
class ReportView(TemplateView):
    """The report page: headline figures, then each section's chart, table and downloads.

    200 with the figures; 400 with the form's messages when the parameters cannot be read; 200 with
    a note when the user has no location to report on.
    """

    template_name = "reports/report.html"

    def get(self, request, *args, **kwargs):
        form, locations, chosen = _choice(request)
        context = self.get_context_data(form=form, locations=locations, chosen=chosen, **kwargs)
        if chosen is not None:
            report = Report.build(location=chosen["location"], first=chosen["first"], last=chosen["last"])
            context |= {
                "report": report,
                "sections": list(report.tables.values()),
                "query": chosen["query"],
                "zone_name": chosen["location"].time_zone,
            }
        return self.render_to_response(context, status=400 if locations and chosen is None else 200)


def _one_table(request, section: str):
    """(the report with only `section` built, None), or (None, a 400 naming what could not be read).
    Raises Http404 for an unknown section or a user with no location."""
    if section not in SECTIONS:
        raise Http404("No such report")
    form, locations, chosen = _choice(request)
    if not locations:
        raise Http404("No location to report on")
    if chosen is None:
        return None, HttpResponseBadRequest(
            "; ".join(error for errors in form.errors.values() for error in errors),
            content_type="text/plain; charset=utf-8",
        )
    report = Report.build(
        location=chosen["location"], first=chosen["first"], last=chosen["last"], only={section}
    )
    return report, None


@require_GET
@reports_required
def chart(request, slug):
    """One section's chart as an SVG image (no script; drawn by pygal, see reports.charts)."""
    report, refused = _one_table(request, slug)
    if refused:
        return refused
    svg, policy = charts.render(report.tables[slug])
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = policy  # the middleware keeps a policy the view set
    return response


def _filename(report: Report, slug: str, extension: str) -> str:
    return f"{slug}-{report.location.slug}-{report.first:%Y%m%d}-{report.last:%Y%m%d}.{extension}"


@require_GET
@reports_required
def download_csv(request, slug):
    """One section's table as a CSV download (see reports.downloads)."""
    report, refused = _one_table(request, slug)
    if refused:
        return refused
    response = HttpResponse(
        downloads.table_csv(report, report.tables[slug]), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, slug, "csv")}"'
    return response


@require_GET
@reports_required
def download_xlsx(request, slug):
    """One section's table as an .xlsx download (see reports.downloads)."""
    report, refused = _one_table(request, slug)
    if refused:
        return refused
    response = HttpResponse(
        downloads.table_xlsx(report, report.tables[slug]), content_type=downloads.XLSX_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, slug, "xlsx")}"'
    return response
