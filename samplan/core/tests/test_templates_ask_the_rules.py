"""Templates never decide policy or process: no template compares a state, a role or a
decision with a literal. They ask the rule book (`{% load plan_rules %}`) or the `can` object
a view passes; the rule lives once, in samplan/plans/rules.py or samplan/policy.py."""

import re
from pathlib import Path

from django.conf import settings

COMPARED = r"[\w.]*\b(?:state|role|decision|status)\b"
LITERAL = r"""(?:"[^"]*"|'[^']*')"""
OPERATOR = r"(?:==|!=|\bin\b|\bnot in\b)"
TAG = re.compile(r"{%.*?%}", re.S)
COMPARISON = re.compile(rf"{COMPARED}\s*{OPERATOR}\s*{LITERAL}|{LITERAL}\s*{OPERATOR}\s*{COMPARED}")


def template_files() -> list[Path]:
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [Path(p) for p in Path(settings.BASE_DIR, "samplan").glob("*/templates")]
    return sorted(path for root in roots for path in root.rglob("*.html"))


def comparisons(text: str) -> list[str]:
    return [match.group(0) for tag in TAG.findall(text) for match in COMPARISON.finditer(tag)]


def test_the_check_finds_what_it_must_find():
    assert comparisons('{% if plan.state == "revision" %}')
    assert comparisons("{% elif 'guardian' == view.role %}")
    assert comparisons('{% if c.decision != "given" %}')
    assert comparisons('{% if role == "individual" %}')
    assert not comparisons('{% if plan|may_start:"version.approve" %}')
    assert not comparisons('<p class="state">{{ plan.get_state_display }}</p>')


def test_no_template_compares_a_state_role_or_decision_with_a_literal():
    files = template_files()
    assert len(files) > 40
    found = {
        str(path.relative_to(settings.BASE_DIR)): hits
        for path in files
        if (hits := comparisons(path.read_text(encoding="utf-8")))
    }
    assert not found, found
