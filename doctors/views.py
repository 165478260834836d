"""Public doctor directory: list with search and filters, profile, specialty and location pages."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import DetailView, ListView

from appointments import availability
from appointments.views import picker_context
from doctors.forms import DoctorFilterForm
from doctors.models import Doctor, Location, Specialty


class ForgivingPaginationMixin:
    """A bad or out-of-range ?page= shows the nearest real page instead of a 404."""

    paginate_by = 12

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        availability.next_free_slots(context["doctor_list"])  # one bulk call for the page's cards
        return context


class DoctorListView(ForgivingPaginationMixin, ListView):
    template_name = "doctors/doctor_list.html"
    context_object_name = "doctor_list"

    def get_queryset(self):
        self.form = DoctorFilterForm(self.request.GET or None)
        queryset = Doctor.objects.active().for_cards()
        return self.form.filter(queryset) if self.form.is_bound else queryset.sorted_by("relevance")

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)


class DoctorDetailView(DetailView):
    template_name = "doctors/doctor_detail.html"

    def get_queryset(self):
        return Doctor.objects.active().for_cards().prefetch_related("languages", "conditions", "procedures")

    def get_context_data(self, **kwargs):
        availability.next_free_slots([self.object])
        url = reverse("appointments:picker", kwargs={"slug": self.object.slug})
        return super().get_context_data(picker=picker_context(self.object, None, url=url), **kwargs)


class SpecialtyDetailView(ForgivingPaginationMixin, ListView):
    template_name = "doctors/specialty_detail.html"
    context_object_name = "doctor_list"

    def get_queryset(self):
        self.specialty = get_object_or_404(Specialty, slug=self.kwargs["slug"])
        return Doctor.objects.active().for_cards().filter(specialty=self.specialty).sorted_by("experience")

    def get_context_data(self, **kwargs):
        return super().get_context_data(specialty=self.specialty, **kwargs)


class LocationDetailView(ForgivingPaginationMixin, ListView):
    template_name = "doctors/location_detail.html"
    context_object_name = "doctor_list"

    def get_queryset(self):
        self.location = get_object_or_404(Location.objects.active(), slug=self.kwargs["slug"])
        return Doctor.objects.active().for_cards().filter(location=self.location).sorted_by("experience")

    def get_context_data(self, **kwargs):
        return super().get_context_data(location=self.location, **kwargs)
