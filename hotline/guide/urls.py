from django.urls import path

from hotline.guide import views

app_name = "guide"
# Editors' side of the library; operators read it under /desk/guide/ (hotline/desk/urls.py).
urlpatterns = [
    path("<int:pk>/reviewed/", views.mark_reviewed, name="reviewed"),
]
