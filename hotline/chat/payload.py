"""What "Send to chat" gives the writer: a service's public details only, built on the
server from the public fields. Never a confidential address, never the operator note."""

from django.utils import timezone

from services_directory.models import ContactChannel, Service


def service_payload(service: Service) -> dict[str, object]:
    web = next(
        (c.value for c in service.channels.all() if c.kind == ContactChannel.Kind.WEB), ""
    ) or (service.organization.url or "")
    return {
        "name": service.name,
        "phones": service.phone_numbers(),
        "hours_today": service.hours_on(timezone.localdate()),
        "addresses": [
            ", ".join(
                part
                for part in (loc.address, f"{loc.postcode} {loc.municipality.name}".strip())
                if part
            )
            for loc in service.public_locations()
            if loc.address
        ],
        "web": web,
    }


def public_service(pk: int) -> dict[str, object] | None:
    service = (
        Service.objects.public()
        .select_related("organization")
        .prefetch_related("channels", "locations__municipality", "opening_hours")
        .filter(pk=pk)
        .first()
    )
    return service_payload(service) if service is not None else None
