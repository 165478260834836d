from django.urls import path

from waitlist import views

app_name = "waitlist"

urlpatterns = [
    path("book/<slug:slug>/waitlist/", views.join, name="join"),
    path("a/<str:token>/waitlist/", views.join_for_booking, name="join-booking"),
    path("waitlist/offer/<str:token>/", views.offer, name="offer"),
    path("staff/waitlist/", views.staff_waitlist, name="staff"),
]
