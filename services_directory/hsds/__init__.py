"""The directory as Open Referral HSDS 3.0, Norwegian profile.

The exchange format is a JSON array of compiled HSDS ``service`` objects. What the
profile adds to HSDS (``x_`` extensions, coverage codes, public holidays) is described in
docs/hsds-profile.md; keep the two in step.

- ``profile``: what import and export share (vocabularies, status maps, days, ids);
- ``importer``: reading and validating a file, then writing it, all or nothing;
- ``exporter``: writing public services, for the file and for the public API.
"""

from services_directory.hsds.exporter import (
    dumps,
    export_chosen,
    export_services,
    with_export_data,
)
from services_directory.hsds.importer import HSDSImportError, import_services
from services_directory.hsds.profile import DAYS, service_export_id

__all__ = [
    "DAYS",
    "HSDSImportError",
    "dumps",
    "export_chosen",
    "export_services",
    "import_services",
    "service_export_id",
    "with_export_data",
]
