"""Report URLs, mounted at /staff/reports/."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportView.as_view(), name="index"),
    path("charts/<slug:slug>.svg", views.chart, name="chart"),
    path("data/<slug:slug>.csv", views.download_csv, name="csv"),
    path("data/<slug:slug>.xlsx", views.download_xlsx, name="xlsx"),
]
