"""Schema-driven API tests: schemathesis generates requests from /api/openapi.json.

Every operation is called with generated parameters and bodies; each response
must have a documented status, the documented content type and a body that
validates against its schema, and no request may cause a server error.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from osslever.web import create_app
from tests.web_helpers import ALPHA, build_repo, ingest


@pytest.fixture(scope="module")
def web_schema(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-schema")
    db = root / "store.duckdb"
    ingest(db, build_repo(root / "alpha", ALPHA))
    app = create_app(db)
    # 422 is the documented answer to input that fits the schema but that an area rejects on
    # its content (a profile with an unknown key, a CSV without the needed columns).
    config = schemathesis.Config.from_str(
        '[checks.positive_data_acceptance]\nexpected-statuses = ["2xx", "404", "409", "422", "501", "503"]\n'
    )
    return schemathesis.openapi.from_asgi("/api/openapi.json", app, config=config)


def no_internal_error(ctx, response, case) -> None:
    """501 (area not installed) and 503 (writer busy) are documented answers; 500 is a bug."""
    if response.status_code == 500:
        raise AssertionError(f"500 from {case.method} {case.formatted_path}")


def _check(operation) -> str | None:
    """Run generated cases of one operation; the first failure as text, or None."""

    @given(case=operation.as_strategy())
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    def run(case):
        case.call_and_validate(excluded_checks=[not_a_server_error], additional_checks=[no_internal_error])

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # reported with the operation's name
        return f"{operation.method.upper()} {operation.path}: {exc}"
    return None


def test_every_operation_conforms_to_the_schema(web_schema):
    operations = [result.ok() for result in web_schema.get_all_operations()]
    assert len(operations) >= 20
    failures = [f for f in map(_check, operations) if f]
    assert failures == [], "\n\n".join(failures)


def test_schema_lists_every_api_route():
    """Nothing the API serves is left out of the schema (and nothing documented is missing)."""
    from starlette.routing import Route

    from osslever.web.api import openapi_schema
    from osslever.web.app import routes

    served = {
        (r.path, m)
        for r in routes()
        if isinstance(r, Route) and r.path.startswith("/api/") and r.path != "/api/openapi.json"
        for m in (r.methods or set()) - {"HEAD"}
    }
    documented = {(path, method.upper()) for path, ops in openapi_schema()["paths"].items() for method in ops}
    assert served == documented
