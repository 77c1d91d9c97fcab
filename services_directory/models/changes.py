from django.db import models

# Every table the operator search reads, directly or on its result cards. Database
# triggers (migration 0008) stamp a new token on each write to any of them, whatever
# wrote it: the admin, an import, a management command, a bulk update or raw SQL.
# The tokens (DirectoryChange rows).
DIRECTORY = 1  # what the search index is built from
FEEDBACK = 2  # open error reports and free shelter places, shown on result cards
FEEDBACK_MODELS = ["ErrorReport", "ShelterCapacity"]
WATCHED_MODELS = [
    "Organization",
    "Service",
    "Location",
    "ContactChannel",
    "OpeningHours",
    "ServiceType",
    "Topic",
    "TargetGroup",
    "Language",
    "AccessibilityFeature",
    "County",
    "Municipality",
]
WATCHED_M2M = [
    "service_types",
    "topics",
    "target_groups",
    "languages",
    "accessibility",
    "coverage_counties",
    "coverage_municipalities",
]


# Columns whose updates change nothing a search shows: the review cycle's bookkeeping.
# "Verified today", an editor's most frequent click, then costs no index rebuild.
UNWATCHED_FIELDS = {
    "Service": ["last_verified_at", "verified_by", "next_review_due", "version", "updated_at"],
}


class DirectoryChange(models.Model):
    """A row per kind of data (DIRECTORY, FEEDBACK) whose random ``token`` changes with
    every write to it.

    Each process keeps its search index while the token it was built at is current; one
    indexed read per search tells. The token is random rather than a counter so that a
    rolled-back transaction or a flushed test database can never bring back a value an
    index was built at.
    """

    token = models.BigIntegerField()

    class Meta:
        verbose_name = "directory change"

    def __str__(self) -> str:
        return str(self.token)


def current_tokens() -> dict[int, int]:
    """Every token, by row id; asked before every search."""
    from django.db import connection

    # Plain SQL, without the ORM's few hundred microseconds.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, token FROM {DirectoryChange._meta.db_table}")  # noqa: S608
        return dict(cursor.fetchall())


def current_token(kind: int = DIRECTORY) -> int | None:
    return current_tokens().get(kind)
