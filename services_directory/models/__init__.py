from services_directory.models.reference import County, Municipality, Place, Postcode

__all__ = ["County", "Municipality", "Place", "Postcode"]
