"""The public privacy notice (current version, history, each version's text) and the privacy officers'
pages under /staff/privacy/: open a request, see what is held, export it, erase it, close it.

Staff pages check `privacy.handle_patient_data` on every request, are listed in
`settings.PATIENT_DATA_URLS` (so they send `Cache-Control: no-store`), and keep identifiers out of
URLs: a search is a POST that opens a request, and the request's number is all the address carries.
Every look, export and erasure is audited.
"""

import json

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, TemplateView

from clinic.wallclock import wall_clock
from privacy.access import privacy_required
from privacy.export import patient_data
from privacy.forms import DataRequestForm, EraseForm
from privacy.models import DataRequest, EventAction, PrivacyNotice
from privacy.notices import notice_timeline
from privacy.services import (
    RequestClosed,
    is_upcoming,
    request_close,
    request_erase,
    request_findings,
    request_log_access,
    request_open,
)

RECENT_REQUESTS = 50


# Public notice ----------------------------------------------------------------------------------


class NoticeView(TemplateView):
    """/privacy/: the version in effect, versions announced for later, and the earlier versions."""

    template_name = "privacy/notice.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(timeline=notice_timeline(), **kwargs)


class NoticeVersionView(DetailView):
    """One version's text, with when it was in effect: what a patient agreed to on their booking."""

    template_name = "privacy/notice_version.html"
    context_object_name = "notice"
    slug_field = "version"
    slug_url_kwarg = "version"
    queryset = PrivacyNotice.objects.all()

    def get_context_data(self, **kwargs):
        timeline = notice_timeline()
        notice = self.object
        until = next((v.effective_until for v in timeline.earlier if v.pk == notice.pk), None)
        return super().get_context_data(
            timeline=timeline,
            is_current=notice.pk == timeline.current.pk,
            is_upcoming=notice.effective_on > timeline.today and notice.pk != timeline.current.pk,
            effective_until=until,
            **kwargs,
        )


# Staff: one patient's data ----------------------------------------------------------------------


@privacy_required
def request_list(request):
    """GET: the form to open a request and the latest requests. POST: open one and go to it."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = DataRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            opened = request_open(**form.cleaned_data, by=request.user)
            return redirect(opened)
        status = 400
    recent = DataRequest.objects.select_related("opened_by")[:RECENT_REQUESTS]
    return render(request, "privacy/request_list.html", {"form": form, "recent": recent}, status=status)


def _request_or_404(pk) -> DataRequest:
    return get_object_or_404(DataRequest.objects.select_related("opened_by"), pk=pk)


def _decorated(findings, now):
    """Times as the visit's location reads them (`clinic.wallclock`), and whether each visit is to come."""
    for visit in findings.visits:
        visit.local_when = wall_clock(visit).format("medium")
        visit.upcoming = is_upcoming(visit, now)
        for change in visit.history:
            change.local_at = wall_clock(change.at, visit).format("numeric")
        for message in visit.message_list:
            message.local_due = wall_clock(message.due_at, visit).format("numeric")
    return findings


@require_GET
@privacy_required
def request_detail(request, pk):
    """Everything held for the request's identifiers, and the request's own audit log."""
    data_request = _request_or_404(pk)
    now = timezone.now()
    findings = _decorated(request_findings(data_request), now)
    if data_request.is_open:
        request_log_access(
            request=data_request, action=EventAction.VIEWED, findings=findings, by=request.user, now=now
        )
    context = {
        "data_request": data_request,
        "findings": findings,
        "counts": findings.counts(),
        "upcoming": [visit for visit in findings.visits if visit.upcoming],
        "events": data_request.events.select_related("by"),
        "erase_form": EraseForm(),
    }
    return render(request, "privacy/request_detail.html", context)


def _closed(request, data_request):
    messages.error(request, RequestClosed().messages[0])
    return redirect(data_request)


@require_GET
@privacy_required
def export_json(request, pk):
    """The request's findings as a JSON file (audited)."""
    data_request = _request_or_404(pk)
    if not data_request.is_open:
        return _closed(request, data_request)
    now = timezone.now()
    findings = request_findings(data_request)
    request_log_access(
        request=data_request, action=EventAction.EXPORTED_JSON, findings=findings, by=request.user, now=now
    )
    body = json.dumps(patient_data(data_request, findings, now), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="patient-data-{data_request.pk}.json"'
    return response


@require_GET
@privacy_required
def export_html(request, pk):
    """The request's findings as one self-contained, printable HTML file (audited)."""
    data_request = _request_or_404(pk)
    if not data_request.is_open:
        return _closed(request, data_request)
    now = timezone.now()
    findings = request_findings(data_request)
    request_log_access(
        request=data_request, action=EventAction.EXPORTED_HTML, findings=findings, by=request.user, now=now
    )
    body = render_to_string("privacy/export.html", {"data": patient_data(data_request, findings, now)})
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="patient-data-{data_request.pk}.html"'
    return response


@privacy_required
def erase(request, pk):
    """GET: what an erasure would remove and keep. POST (confirmed): erase now, then back to the request."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    data_request = _request_or_404(pk)
    if not data_request.is_open:
        return _closed(request, data_request)
    now = timezone.now()
    form = EraseForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = request_erase(request=data_request, by=request.user, now=now)
            except RequestClosed:
                return _closed(request, data_request)
            count = len(result.removed.references)
            if count or not result.kept_upcoming:
                messages.success(
                    request,
                    _("Erased the patient details of %(count)s visit(s), with %(messages)s message(s).")
                    % {"count": count, "messages": result.removed.messages},
                )
            if result.kept_upcoming:
                messages.warning(
                    request,
                    _("Kept %(references)s: still to come. Cancel them first, then erase again.")
                    % {"references": ", ".join(result.kept_upcoming)},
                )
            return redirect(data_request)
        status = 400
    findings = _decorated(request_findings(data_request), now)
    context = {
        "data_request": data_request,
        "form": form,
        "erasable": [visit for visit in findings.visits if not visit.upcoming],
        "upcoming": [visit for visit in findings.visits if visit.upcoming],
    }
    return render(request, "privacy/request_erase.html", context, status=status)


@privacy_required
def close(request, pk):
    """POST: close the request, forgetting its identifiers (after an export that needs no erasure)."""
    data_request = _request_or_404(pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    request_close(request=data_request, by=request.user)
    messages.success(request, _("Request closed. Its mobile number and email are no longer kept."))
    return redirect(data_request)
