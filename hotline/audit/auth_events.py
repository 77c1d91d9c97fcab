"""Sign-in events from Django's auth signals.

Signals, not view code: Django's login view, the admin's login and django-axes all report
through them, so no sign-in path is missed.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from hotline.audit.models import AuditEvent


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def _signed_in(sender, request, user, **kwargs):
    AuditEvent.record(AuditEvent.Kind.SIGNED_IN, request, actor=user)


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        AuditEvent.record(AuditEvent.Kind.SIGNED_OUT, request, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # Only a name that is an account: what someone typed in the name field may be a
    # password, and must not be kept.
    username = credentials.get("username")
    model = get_user_model()
    actor = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
    second = kwargs.get("stage") == "second_factor"
    kind = AuditEvent.Kind.SECOND_FACTOR_FAILED if second else AuditEvent.Kind.SIGN_IN_FAILED
    AuditEvent.record(kind, request, actor=actor)
