"""Privacy URLs: the notice's versions (public) and the privacy officers' pages under /staff/privacy/.

The notice itself stays at /privacy/ with its old name, `privacy`, in clinic/urls.py.
"""

from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/versions/<int:version>/", views.NoticeVersionView.as_view(), name="notice-version"),
    path("staff/privacy/", views.request_list, name="requests"),
    path("staff/privacy/requests/<int:pk>/", views.request_detail, name="request"),
    path("staff/privacy/requests/<int:pk>/export.json", views.export_json, name="export-json"),
    path("staff/privacy/requests/<int:pk>/export.html", views.export_html, name="export-html"),
    path("staff/privacy/requests/<int:pk>/erase/", views.erase, name="erase"),
    path("staff/privacy/requests/<int:pk>/close/", views.close, name="close"),
]
