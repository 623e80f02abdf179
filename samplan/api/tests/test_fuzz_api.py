"""The API never answers a server error: hypothesis draws requests from the OpenAPI
documents (every operation, its path, query and body fields with values of the right and the
wrong kind, broken JSON, odd headers, wrong methods, good, read-only, garbage and missing
tokens) against a small world, and every answer must be below 500, and an error must be a
problem (or, on the token endpoint, an OAuth error) rather than a page.

The suite prints `api fuzz: N requests, M server errors`."""

import datetime
import json
import string

from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from samplan.api.api import api
from samplan.api.tests.helpers import RecordSystem
from samplan.testing.cast import make_person
from samplan.testing.world import record_results

REQUESTS = 10_000
ERROR_TYPES = ("application/problem+json", "application/fhir+json", "application/json")


def _apis():
    """The NinjaAPIs and their OpenAPI documents (the FHIR façade's too, when it has one)."""
    from samplan.api import urls

    apis = [api]
    fhir = getattr(urls, "fhir_api", None)
    if fhir is not None:
        apis.append(fhir)
    return [one.get_openapi_schema() for one in apis]


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def value_for(schema: dict, components: dict, depth: int = 0):
    """A value for the schema: mostly of its kind, sometimes of any other."""
    schema = _resolve(schema, components)
    if "anyOf" in schema:
        right = st.one_of([value_for(s, components, depth) for s in schema["anyOf"]])
    elif "enum" in schema:
        right = st.sampled_from(schema["enum"])
    elif schema.get("type") == "string" and schema.get("format") == "date":
        right = st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)).map(str)
    elif schema.get("type") == "string" and schema.get("format") == "date-time":
        right = st.datetimes().map(lambda d: d.isoformat())
    elif schema.get("type") == "string":
        right = st.text(max_size=60) | st.text(
            alphabet=string.printable, min_size=1000, max_size=12000
        )
    elif schema.get("type") == "integer":
        right = st.integers(min_value=-(2**64), max_value=2**64)
    elif schema.get("type") == "boolean":
        right = st.booleans()
    elif schema.get("type") == "array" and depth < 2:
        right = st.lists(value_for(schema.get("items", {}), components, depth + 1), max_size=4)
    elif schema.get("type") == "object" and depth < 2:
        fields = {
            name: value_for(field, components, depth + 1)
            for name, field in schema.get("properties", {}).items()
        }
        right = st.fixed_dictionaries({}, optional=fields)
    else:
        right = junk
    return st.one_of(right, right, right, junk)


def operations(docs: list[dict]) -> list[dict]:
    found = []
    for doc in docs:
        components = doc.get("components", {}).get("schemas", {})
        for path, methods in doc["paths"].items():
            for method, op in methods.items():
                params = op.get("parameters", [])
                body = (op.get("requestBody") or {}).get("content", {}).get("application/json")
                found.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "params": params,
                        "body": body["schema"] if body else None,
                        "components": components,
                    }
                )
    return found


def test_no_request_drawn_from_the_openapi_documents_gives_a_server_error(db, sip):
    plan = sip.to("active")
    hidden = sip.initiate(person=make_person("19900101", "123", "Olle", "Annan"))
    writer = RecordSystem(sip.primary_care, may_write=True, name="Skrivaren")
    reader = RecordSystem(sip.primary_care, may_write=False, name="Läsaren")
    http = Client(raise_request_exception=False)
    write_token = writer.token(http)
    # Mostly the writer's token, so that most requests get past the door.
    tokens = [write_token] * 14 + [reader.token(http)] * 3 + ["garbage", None]
    etag = http.get(f"/api/v1/plans/{plan.pk}", HTTP_AUTHORIZATION=f"Bearer {write_token}")["ETag"]
    # A valid body per write, of which the fuzz changes one field at a time.
    valid = {
        "/api/v1/plans": {"identity_number": plan.person.identity_number, "reasons": ["unclear"]},
        "follow-ups": {
            "how_it_went": "Bra",
            "helped_hindered": "Stödet",
            "coordination_needed": False,
            "continue_interventions": "Ja",
            "decision": "continue",
            "next_follow_up": "2099-01-01",
        },
        "status": {"status": "ongoing", "note": "Kort"},
        "answer": {"response": "accepted"},
    }
    meeting_ids = list(plan.meetings.values_list("pk", flat=True)) + [0, -1, 2**40]
    uids = [str(u) for u in plan.interventions.values_list("uid", flat=True)]
    ids = [str(plan.pk)] * 6 + [str(hidden.pk), "not-a-uuid", "../../admin", "%00", "x" * 300]
    ops = operations(_apis())
    tally = {"requests": 0, "errors": []}

    def path_value(param):
        name = param["name"]
        if name.endswith("_uid") or name == "uid":
            return st.sampled_from(uids + ids)
        if name.endswith("_id") and param["schema"].get("type") == "integer":
            return (
                st.sampled_from(meeting_ids)
                | st.integers().map(str)
                | st.text(alphabet=string.ascii_letters, min_size=1, max_size=5)
            )
        return st.sampled_from(ids) | st.text(
            alphabet=string.ascii_letters + string.digits + "-._~", min_size=1, max_size=40
        )

    @st.composite
    def requests(draw):
        op = draw(st.sampled_from(ops))
        path = op["path"]
        query = {}
        for param in op["params"]:
            if param["in"] == "path":
                path = path.replace("{" + param["name"] + "}", str(draw(path_value(param))))
            elif param["in"] == "query" and draw(st.booleans()):
                value = draw(value_for(param["schema"], op["components"]))
                query[param["name"]] = value if isinstance(value, str) else json.dumps(value)
        if draw(st.integers(0, 9)) == 0:
            query[draw(st.text(string.ascii_lowercase, min_size=1, max_size=8))] = draw(
                st.text(max_size=8)
            )
        method = (
            op["method"]
            if draw(st.integers(0, 9))
            else draw(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]))
        )
        body = b""
        if op["body"] is not None or method not in ("GET", "HEAD"):
            kind = draw(st.integers(0, 9))
            if kind == 0:
                body = draw(st.binary(max_size=200))
            elif kind == 1:
                body = b'{"how_it_went": '  # broken JSON
            else:
                schema = _resolve(op["body"] or {"type": "object"}, op["components"])
                example = next((v for k, v in valid.items() if op["path"].endswith(k)), None)
                if example is not None and kind < 6:
                    value = dict(example)
                    fields = schema.get("properties", {})
                    if fields and kind > 2:
                        name = draw(st.sampled_from(sorted(fields)))
                        value[name] = draw(value_for(fields[name], op["components"]))
                else:
                    value = draw(value_for(schema, op["components"]))
                body = json.dumps(value, allow_nan=True).encode()
        headers = {}
        token = draw(st.sampled_from(tokens))
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if draw(st.booleans()):
            choices = [etag, etag, "*", '"x"', "", 'W/"a", "b"']
            headers["HTTP_IF_MATCH"] = draw(st.sampled_from(choices) | st.text(max_size=20))
        if draw(st.booleans()):
            headers["HTTP_ACCEPT_LANGUAGE"] = draw(st.sampled_from(["en", "sv", "de", "*", ""]))
        return method, path, query, body, headers

    @settings(
        max_examples=REQUESTS,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(requests())
    def one(request):
        method, path, query, body, headers = request
        from urllib.parse import quote, urlencode

        url = quote(path, safe="/%") + ("?" + urlencode(query) if query else "")
        response = http.generic(method, url, body, content_type="application/json", **headers)
        tally["requests"] += 1
        status = response.status_code
        problem = status < 400 or response.get("Content-Type", "").split(";")[0] in ERROR_TYPES
        if status >= 500 or not problem:
            tally["errors"].append(f"{method} {url} -> {status} {response.content[:200]!r}")

    one()
    record_results("api_fuzz", cases=tally["requests"], mismatches=len(tally["errors"]))
    assert tally["requests"] >= REQUESTS
    assert not tally["errors"], "\n".join(tally["errors"][:20])
