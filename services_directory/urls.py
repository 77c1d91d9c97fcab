from django.urls import path

from services_directory import capacity_views, proposal_views, views

app_name = "directory"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("services/<int:pk>/verify/", views.verify_service, name="verify"),
    path("services/<int:pk>/report-error/", views.report_error, name="report_error"),
    path(
        "error-reports/<int:pk>/resolve/",
        views.resolve_error_report,
        name="resolve_error_report",
    ),
    path(
        "services/<int:pk>/capacity-link/",
        capacity_views.capacity_link,
        name="capacity_link",
    ),
    path(
        "services/<int:pk>/capacity-link/revoke/",
        capacity_views.revoke_capacity_link,
        name="revoke_capacity_link",
    ),
    path(
        "services/<int:pk>/confirmation-link/",
        proposal_views.confirmation_link,
        name="confirmation_link",
    ),
    path(
        "services/<int:pk>/confirmation-link/revoke/",
        proposal_views.revoke_confirmation_link,
        name="revoke_confirmation_link",
    ),
    path("proposals/<int:pk>/", proposal_views.proposal, name="proposal"),
    path("proposals/<int:pk>/accept/", proposal_views.accept_proposal, name="accept_proposal"),
    path("proposals/<int:pk>/reject/", proposal_views.reject_proposal, name="reject_proposal"),
]
