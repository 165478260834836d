from django.urls import path

from doctors import views

app_name = "doctors"

urlpatterns = [
    path("doctors/", views.DoctorListView.as_view(), name="list"),
    path("search/suggestions/", views.suggest, name="suggest"),
    path("doctors/<slug:slug>/", views.DoctorDetailView.as_view(), name="detail"),
    path("specialties/<slug:slug>/", views.SpecialtyDetailView.as_view(), name="specialty"),
    path("locations/", views.LocationListView.as_view(), name="locations"),
    path("locations/<slug:slug>/", views.LocationDetailView.as_view(), name="location"),
]
