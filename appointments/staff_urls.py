"""Staff URLs, mounted at /staff/ (the calendar feed lives at /calendar/ in appointments.urls)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from appointments import exports, staff_find, staff_workflow
from appointments import staff_views as views
from notifications import staff_views as message_views

app_name = "staff"

urlpatterns = [
    path("", views.DayView.as_view(), name="day"),
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("doctors/<slug:slug>/week/", views.WeekView.as_view(), name="week"),
    path("doctors/<slug:slug>/feed/", views.feed_rotate, name="feed-rotate"),
    path("appointments/<str:reference>/", views.AppointmentView.as_view(), name="appointment"),
    path("appointments/<str:reference>/status/", views.appointment_status, name="status"),
    path("appointments/<str:reference>/undo/", staff_workflow.appointment_undo, name="undo"),
    path("appointments/<str:reference>/resend/", staff_workflow.appointment_resend, name="resend"),
    path("appointments/<str:reference>/reschedule/", views.appointment_reschedule_staff, name="reschedule"),
    path("book/", views.book_start, name="book"),
    path("book/<slug:slug>/", views.book_for_caller, name="book-doctor"),
    path("find/", staff_find.find, name="find"),
    path("print/", views.PrintView.as_view(), name="print"),
    path("export/", exports.export_form, name="exports"),
    path("export.csv", exports.export_csv, name="export"),
    path("export.xlsx", exports.export_xlsx, name="export-xlsx"),
    path("messages/", message_views.attention_list, name="messages"),
    path("messages/<int:pk>/retry/", message_views.message_retry_view, name="message-retry"),
]
