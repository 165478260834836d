"""Sitemap sections for the public directory: active doctors, specialties and open locations."""

from django.contrib.sitemaps import Sitemap

from doctors.models import Doctor, Location, Specialty


class DoctorSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Doctor.objects.active().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class SpecialtySitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Specialty.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class LocationSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Location.objects.active().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at
