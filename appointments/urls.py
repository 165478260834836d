from django.urls import path

from appointments import link_views, my_views, staff_views, views

app_name = "appointments"

urlpatterns = [
    path("book/", views.BookStartView.as_view(), name="start"),
    path("book/<slug:slug>/", views.SlotPickerView.as_view(), name="picker"),
    path("book/<slug:slug>/details/", views.booking_details, name="details"),
    path("book/<slug:slug>/release/", views.hold_release_view, name="release-hold"),
    path("book/<slug:slug>/send-link/", link_views.send_link, name="send-link"),
    path("find-booking/", link_views.find_booking, name="find-booking"),
    path("my-appointments/", my_views.my_appointments, name="my-appointments"),
    path("my-appointments/<str:token>/", my_views.my_appointments_list, name="my-appointments-list"),
    path("a/<str:token>/", views.ManageView.as_view(), name="manage"),
    path("a/<str:token>/cancel/", views.appointment_cancel_view, name="cancel"),
    path("a/<str:token>/reschedule/", views.appointment_reschedule_view, name="reschedule"),
    path("a/<str:token>/calendar.ics", views.appointment_calendar, name="calendar"),
    path("api/v1/doctors/<slug:slug>/availability/", views.availability_api, name="api-availability"),
    path("calendar/<str:token>.ics", staff_views.doctor_feed, name="doctor-feed"),
]
