"""A URL configuration for tests: the project's routes plus one view that always fails."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from samplan.urls import urlpatterns as project_urlpatterns


@csrf_exempt
@login_not_required
def fail_with_the_posted_numbers(request):
    """Raise an exception whose text and traceback carry every number the form sent."""
    numbers = [request.POST[name] for name in ("person", "coordination", "reserve")]
    raise ValueError(f"no person {numbers[0]}, {numbers[1]} or {numbers[2]!r}")


urlpatterns = [path("test-fel/", fail_with_the_posted_numbers), *project_urlpatterns]
