"""A client's service user never has a password: it cannot log in to the pages, whatever an
administrator does to it in the user admin (connected in ApiConfig.ready)."""

from samplan.api.models import ApiClient


def service_user_keeps_no_password(sender, instance, **kwargs) -> None:
    if instance.pk is None or not instance.has_usable_password():
        return
    if ApiClient.objects.filter(user_id=instance.pk).exists():
        instance.set_unusable_password()
