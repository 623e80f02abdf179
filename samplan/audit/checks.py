"""`manage.py check --deploy`: the application must not run as a role that can switch off the
access log's triggers (samplan.audit.database)."""

from django.core import checks

from samplan.audit.database import access_log_role_problems

HINT = (
    "Run the application as a runtime role that is not a superuser and owns no table; run "
    "migrations as a separate owner role, then `manage.py grant_runtime_role <runtime role>`. "
    "See docs/operations.md, 'Database roles'."
)


@checks.register(checks.Tags.security, deploy=True)
def access_log_role_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"The access log is not protected: {problem.message}.",
            hint=HINT,
            id=f"samplan.E{index:03d}",
        )
        for index, problem in enumerate(access_log_role_problems(), start=1)
    ]
