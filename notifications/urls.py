from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("feedback/<str:token>/", views.feedback_view, name="feedback"),
]
