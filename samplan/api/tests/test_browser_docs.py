"""The API's docs page works in Debian's Chromium under the strict CSP: Swagger UI from
django-ninja's own static files, no CDN, no inline script, and no CSP violation."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_docs_page_renders_the_operations_without_a_csp_violation(page: Page, db):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(page.base_url) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto(page.base_url + "/api/v1/docs")
    expect(page.get_by_text("/api/v1/plans/{plan_id}", exact=True)).to_be_visible()
    assert outside == []
    assert [m for m in messages if "Content Security Policy" in m] == []
