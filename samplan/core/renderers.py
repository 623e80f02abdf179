"""The form renderer: Django's widget templates, with the common ones written out in Python.

Django renders every widget through templates: a select with 60 options is 120 template
includes (the option and its attributes), and a form page of Samplan spent more time there
than on everything else. The templates below are tiny and fixed; this renderer produces exactly
their output, newlines included, as Django's renderer strips it at the end
(samplan/core/tests/test_renderers.py compares the two on every kind of widget),
and hands any other template, and any project override of these, to Django's renderer.
"""

import functools
from pathlib import Path

from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"
# The widget templates that are exactly {% include "django/forms/widgets/input.html" %}.
INPUT_TEMPLATES = {
    f"{WIDGETS}{name}.html"
    for name in [
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    ]
}
OPTION_TEMPLATES = {f"{WIDGETS}{name}.html" for name in ("input_option", "checkbox_option", "radio_option")}  # fmt: skip


def _text(value) -> str:
    return str(conditional_escape(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_text(f"{value}")}"')
    return "".join(out)


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html."""
    value = "" if widget["value"] is None else f' value="{_text("{}".format(widget["value"]))}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _input_option(widget: dict) -> str:
    """django/forms/widgets/input_option.html (checkbox_option and radio_option include it)."""
    if not widget.get("wrap_label"):
        return _input(widget)
    label_for = widget["attrs"].get("id")
    opening = f'<label for="{_text(label_for)}">' if label_for else "<label>"
    return f"{opening}{_input(widget)}\n {_text(widget['label'])}</label>"


def _option(widget: dict) -> str:
    """django/forms/widgets/select_option.html."""
    return (
        f'<option value="{_text("{}".format(widget["value"]))}"{_attrs(widget["attrs"])}>'
        f"{_text(widget['label'])}</option>"
    )


def _select(widget: dict) -> str:
    """django/forms/widgets/select.html, with select_option.html for each option."""
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            out.append(f"\n  {_render_option(option)}\n")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _render_option(option: dict) -> str:
    template = option["template_name"]
    if template == f"{WIDGETS}select_option.html":
        return _option(option)
    if template in OPTION_TEMPLATES:
        return _input_option(option)
    raise _Unknown


class _Unknown(Exception):
    """An option template this renderer does not write out: Django's renderer does it all."""


def _renderers() -> dict:
    table = dict.fromkeys(INPUT_TEMPLATES, _input)
    table.update(dict.fromkeys(OPTION_TEMPLATES, _input_option))
    table[f"{WIDGETS}select_option.html"] = _option
    table[f"{WIDGETS}select.html"] = _select
    return table


class WidgetRenderer(DjangoTemplates):
    """FORM_RENDERER: the templates above in Python, every other one through Django."""

    written_out = _renderers()

    def render(self, template_name, context, request=None):
        write = self.written_out.get(template_name)
        if write is not None and request is None and not _overridden(template_name):
            try:
                return write(context["widget"])
            except _Unknown:
                pass
        return super().render(template_name, context, request)


@functools.cache
def _overridden(template_name: str) -> bool:
    """True when the project has its own copy of a widget template (then it is used)."""
    return any(
        (Path(directory) / template_name).exists()
        for engine in settings.TEMPLATES
        for directory in engine.get("DIRS", [])
    )
