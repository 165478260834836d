from django.urls import path

from appointments import views

app_name = "appointments"

urlpatterns = [
    path("book/", views.BookStartView.as_view(), name="start"),
    path("book/<slug:slug>/", views.SlotPickerView.as_view(), name="picker"),
    path("book/<slug:slug>/details/", views.booking_details, name="details"),
    path("book/<slug:slug>/move/", views.booking_move, name="move"),
    path("a/<str:token>/", views.ManageView.as_view(), name="manage"),
    path("a/<str:token>/cancel/", views.appointment_cancel_view, name="cancel"),
    path("a/<str:token>/reschedule/", views.appointment_reschedule_view, name="reschedule"),
    path("a/<str:token>/calendar.ics", views.appointment_calendar, name="calendar"),
    path("api/v1/doctors/<slug:slug>/availability/", views.availability_api, name="api-availability"),
]
