"""Schemathesis against /api/openapi.json of the running server: generated requests (valid and
invalid) to every operation, checked for zero server errors, and for statuses, content types and
bodies that match the published schema. Bounded (`MAX_EXAMPLES` per operation) to stay under a
minute or so per database.

Every request carries the bearer token of one account made for the fuzzer, so the generated
data reaches the handlers instead of stopping at the 401. Two operations are left out on purpose:
`DELETE /tokens` would revoke that token halfway through (it has its own tests), and
`POST /tokens` gets no Basic credentials (so it answers 401 without counting a failed login,
which would throttle the other tests' logins from this address).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import ApiServer, register

MAX_EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    # What the schema forbids, the server refuses (so the schema states the server's rules:
    # lengths, the username pattern). The converse (positive_data_acceptance) cannot hold for
    # this API: valid-looking data is still refused for a taken or look-alike name, an invalid
    # email address, a body of spaces or text that cannot be stored, which no schema can say.
    negative_data_rejection,
]


@pytest.fixture
def fuzz_headers(api_server: ApiServer) -> dict[str, str]:
    with api_server.client() as client:
        return register(client, "fuzz").headers


def _fuzz(operation: APIOperation, mode: GenerationMode, base: str, headers: dict) -> int:
    """Run the generated cases of one operation; returns how many were sent."""
    sent = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        nonlocal sent
        sent += 1
        # The token goes into the case itself, not just into the request: a case whose only
        # violation was a missing or wrong Authorization header is then valid, and the checks
        # judge what was really sent.
        case.headers = {**(case.headers or {}), **headers}
        case.call_and_validate(base_url=base, checks=CHECKS)

    run()
    return sent


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors_and_the_schema_holds(
    api_server: ApiServer, fuzz_headers: dict[str, str], mode: GenerationMode
) -> None:
    """(schemathesis's pytest plugin relies on pytest internals that pytest 9.2 changed, so the
    operations are driven with Hypothesis directly: the same strategies, the same checks.)"""
    schema = schemathesis.openapi.from_url(f"{api_server.api}/openapi.json")
    schema = schema.exclude(path="/tokens", method="DELETE")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 24
    if mode == GenerationMode.NEGATIVE:  # an operation that takes nothing has nothing to break
        operations = [op for op in operations if list(op.iter_parameters()) or len(op.body)]
    failures: list[str] = []
    sent = 0
    for operation in operations:
        try:
            sent += _fuzz(operation, mode, api_server.api, fuzz_headers)
        except Exception as problem:  # collect them all, report every failing operation
            failures.append(f"{operation.method.upper()} {operation.path}: {problem}")
    assert failures == []
    assert sent >= 5 * len(operations)  # the fuzzer really ran
