"""README.md is a newcomer's first screen: how to run Samplan (PORT and HOST too), the demo
logins and every demo person's identity number, and which one to be in Min SIP. No link in it
or in docs/ leads out of the repository."""

import re
from pathlib import Path

from django.conf import settings

from samplan.demo.world import PEOPLE, demo_identity_display, demo_logins

ROOT = Path(settings.BASE_DIR)
LINK = re.compile(r"\]\(([^)#\s]*)")


def test_the_readme_shows_how_to_run_it_and_lists_the_demo_logins_and_people():
    readme = (ROOT / "README.md").read_text()
    first_screen = "\n".join(readme.splitlines()[:40])
    for needed in ("make run", "PORT=", "HOST=", "samplan-demo", "/min-sip/logga-in/demo/"):
        assert needed in first_screen, needed
    for username, _who, _units in demo_logins():
        assert f"`{username}`" in readme, username
    for person in PEOPLE:
        assert demo_identity_display(person) in readme, person.key


def test_no_link_in_the_readme_or_the_docs_leads_out_of_the_repository():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        for target in LINK.findall(page.read_text()):
            if not target or re.match(r"[a-z]+:", target):
                continue  # an anchor on the page, or a web address
            resolved = (page.parent / target).resolve()
            assert resolved.is_relative_to(ROOT.resolve()), (page.name, target)
            assert resolved.exists(), (page.name, target)
