from django.urls import path

from simple_api import views

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:name>/", views.detail, name="detail"),
]
