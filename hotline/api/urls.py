from django.urls import path, re_path

from hotline.api import public, views

app_name = "api"
urlpatterns = [
    path("search", views.search, name="search"),
    # Open to everyone, for the national web portal (see public.py).
    path("public/services", public.services, name="public_services"),
    path("public/hsds/services", public.hsds_services, name="public_hsds_services"),
    path("public/hsds/services/<int:pk>", public.hsds_service, name="public_hsds_service"),
    path("public/openapi.json", public.openapi_document, name="public_openapi"),
    # Anything else under public/ is a JSON 404 a browser script can read, not an HTML page.
    # [\s\S], not ".": an id with a newline in it must land here too.
    re_path(r"^public/(?P<rest>[\s\S]*)\Z", public.not_found, name="public_not_found"),
]
