"""Public doctor directory: list with search and filters, profile, specialty and location pages."""

from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from appointments import availability, nextfree
from appointments.views import picker_context
from articles.models import Article
from doctors import search, seo
from doctors.forms import DoctorFilterForm
from doctors.models import Doctor, Location, Specialty

PROFILE_ARTICLES = 6
DID_YOU_MEAN_CHECKS = 3  # alternatives tried (one EXISTS query each) when a search finds nobody


class ForgivingPaginationMixin:
    """A bad or out-of-range ?page= shows the nearest real page instead of a 404."""

    paginate_by = 12

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class DoctorCardsMixin(ForgivingPaginationMixin):
    """A paginated page of doctor cards, each with its next free time (one bulk call per page)."""

    context_object_name = "doctor_list"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Pages sorted or filtered by availability already know each doctor's next free time.
        availability.next_free_slots([d for d in context["doctor_list"] if not hasattr(d, "next_free_slot")])
        return context


class DoctorListView(DoctorCardsMixin, ListView):
    template_name = "doctors/doctor_list.html"

    def get_queryset(self):
        self.form = DoctorFilterForm(self.request.GET or None)
        queryset = Doctor.objects.active().for_cards()
        if not self.form.is_bound:
            return queryset.sorted_by("relevance")
        queryset = self.form.filter(queryset)
        if self.form.availability_days or self.form.wants_soonest:
            return self._by_availability(queryset)
        return queryset

    def _by_availability(self, queryset):
        """Filter or order by the next free time, read from the stored next free slots with SQL.

        Covers every matching doctor (appointments.nextfree), in a fixed number of queries.
        """
        queryset = nextfree.with_next_start(queryset)
        if days := self.form.availability_days:
            zones = Location.objects.active().values_list("time_zone", flat=True).distinct()
            queryset = nextfree.available_within(queryset, days, zones)
        if self.form.wants_soonest:
            first = ["-relevance"] if "relevance" in queryset.query.annotations else []
            queryset = queryset.order_by(*first, F("next_start").asc(nulls_last=True), "name")
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(form=self.form, **kwargs)
        parsed, vocabulary = self.form.parsed, self.form.vocabulary
        if parsed:
            search.match_reasons(context["doctor_list"], parsed, vocabulary)
            context["corrections"] = parsed.corrections
        if not context["doctor_list"]:
            vocabulary = vocabulary or search.load_vocabulary()
            context["did_you_mean"] = _did_you_mean(parsed, vocabulary) if parsed else []
            context["common_conditions"] = search.common_conditions()
        return context


def _did_you_mean(parsed, vocabulary) -> list[str]:
    """Alternatives to a search that found nobody, kept only if they find someone (a bounded number of queries)."""
    found = []
    for candidate in search.alternatives(parsed, vocabulary)[:DID_YOU_MEAN_CHECKS]:
        doctors = search.filter_doctors(Doctor.objects.active(), vocabulary.parse(candidate), vocabulary)
        if doctors.exists():
            found.append(candidate)
    return found[:2]


@require_GET
def suggest(request):
    """Suggestions for a half-typed search, as listbox options for htmx (SPEC 3.2).

    Without htmx (a link followed, a browser without JavaScript) it sends the visitor to the list.
    """
    query = request.GET.get("q", "")[:100]
    if not request.htmx:
        response = redirect(f"{reverse('doctors:list')}?{urlencode({'q': query})}")
    else:
        suggestions = search.suggest(search.load_vocabulary(), query) if query.strip() else []
        response = render(request, "includes/search_suggestions.html", {"suggestions": suggestions})
    patch_vary_headers(response, ["HX-Request"])  # one URL, two answers: caches must keep them apart
    return response


class DoctorDetailView(DetailView):
    template_name = "doctors/doctor_detail.html"

    def get_queryset(self):
        return Doctor.objects.active().for_cards().prefetch_related("languages", "conditions", "procedures")

    def get_context_data(self, **kwargs):
        doctor = self.object
        availability.next_free_slots([doctor])
        url = reverse("appointments:picker", kwargs={"slug": doctor.slug})
        articles = Article.objects.published().involving(doctor).for_list().newest_first()[:PROFILE_ARTICLES]
        return super().get_context_data(
            picker=picker_context(doctor, None, url=url),
            weekly_hours=availability.weekly_hours(doctor),
            doctor_articles=articles,
            physician_json_ld=seo.physician(doctor, self.request),
            **kwargs,
        )


class SpecialtyDetailView(DoctorCardsMixin, ListView):
    template_name = "doctors/specialty_detail.html"

    def get_queryset(self):
        self.specialty = get_object_or_404(Specialty, slug=self.kwargs["slug"])
        return Doctor.objects.active().for_cards().filter(specialty=self.specialty).sorted_by("experience")

    def get_context_data(self, **kwargs):
        return super().get_context_data(specialty=self.specialty, **kwargs)


class LocationListView(ListView):
    """Every open clinic, by city, with its address and how many doctors see patients there."""

    template_name = "doctors/location_list.html"
    context_object_name = "location_list"

    def get_queryset(self):
        active = Q(doctors__is_active=True)
        return (
            Location.objects.active()
            .annotate(doctor_count=Count("doctors", filter=active))
            .order_by("city", "name")
        )


class LocationDetailView(DoctorCardsMixin, ListView):
    template_name = "doctors/location_detail.html"

    def get_queryset(self):
        self.location = get_object_or_404(Location.objects.active(), slug=self.kwargs["slug"])
        return Doctor.objects.active().for_cards().filter(location=self.location).sorted_by("experience")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            location=self.location, clinic_json_ld=seo.medical_clinic(self.location, self.request), **kwargs
        )
