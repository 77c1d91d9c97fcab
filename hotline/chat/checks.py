"""Deploy checks for the chat (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def chat_redis_keeps_nothing_on_disk(app_configs, **kwargs) -> list[Warning]:
    """Messages wait in the chat's Redis for a moment on their way to the other side. A
    Redis that snapshots (RDB) or logs its writes (AOF) can put the text of a chat on
    disk, which the chat promises never happens (docs/chat.md)."""
    if not settings.CHAT_REDIS_URL:
        return []
    # Imported here: every web worker loads the checks, and redis-py costs each of them
    # memory that only the chat's processes need.
    import redis

    client = redis.Redis.from_url(settings.CHAT_REDIS_URL, socket_timeout=5)
    try:
        save = str(client.config_get("save").get("save") or "")
        appendonly = str(client.config_get("appendonly").get("appendonly") or "no")
    except redis.ResponseError:
        # Managed Redis often refuses CONFIG: the deployer must confirm it by hand.
        return [
            Warning(
                "Cannot tell whether the chat's Redis writes to disk (CONFIG GET refused).",
                hint="Confirm that it runs without persistence (no RDB snapshots, no AOF), "
                "then add chat.W002 to SILENCED_SYSTEM_CHECKS.",
                id="chat.W002",
            )
        ]
    except redis.RedisError as error:
        return [
            Warning(
                f"Cannot reach the chat's Redis ({type(error).__name__}).",
                hint="CHAT_REDIS_URL must point at a running Redis before deploying.",
                id="chat.W003",
            )
        ]
    finally:
        client.close()
    if save.strip() or appendonly == "yes":
        return [
            Warning(
                "The chat's Redis saves to disk, so a chat's messages in transit may be "
                "written there.",
                hint='Run it with --save "" --appendonly no (CHAT_REDIS_URL).',
                id="chat.W001",
            )
        ]
    return []
