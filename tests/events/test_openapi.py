"""The OpenAPI document served at /schema/openapi.json names the token schemes and each
operation's real refusals as problem+json (events.api.openapi)."""

from __future__ import annotations

from tests.support.world import auth

PROBLEM = "application/problem+json"
WRITES = {"post", "put", "patch", "delete"}


async def _operations(client) -> tuple[dict, dict[tuple[str, str], dict]]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    document = response.json()
    operations = {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    }
    return document, operations


def _problem_answer(operation: dict, status: int) -> dict:
    answer = operation["responses"].get(str(status))
    assert answer is not None, (status, sorted(operation["responses"]))
    assert list(answer["content"]) == [PROBLEM]
    assert answer["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    return answer


async def test_the_bearer_token_schemes_are_declared(client):
    document, _ = await _operations(client)
    schemes = document["components"]["securitySchemes"]
    assert schemes["memberToken"]["scheme"] == "bearer"
    assert schemes["memberToken"]["bearerFormat"].startswith("cvm_")
    assert schemes["organizerToken"]["scheme"] == "bearer"
    assert schemes["organizerToken"]["bearerFormat"].startswith("cvo_")
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])


async def test_every_api_operation_documents_its_token_and_refusals(client):
    _, operations = await _operations(client)
    manage = [key for key in operations if key[1].startswith("/api/manage/")]
    mine = [key for key in operations if key[1].startswith("/api/me")]
    assert len(manage) > 20 and mine
    for key in manage:
        operation = operations[key]
        assert operation["security"] == [{"organizerToken": []}], key
        for status in (401, 403):
            _problem_answer(operation, status)
        if key[0] in WRITES:
            _problem_answer(operation, 409)
    for key in mine:
        assert operations[key]["security"] == [{"memberToken": []}], key
        _problem_answer(operations[key], 401)
    public = operations[("get", "/api/events")]
    assert "security" not in public and "401" not in public["responses"]
    for key, operation in operations.items():
        for status, answer in operation["responses"].items():
            if int(status) >= 400:  # no refusal is documented as plain JSON
                assert list(answer.get("content", {PROBLEM: 0})) == [PROBLEM], (key, status)


async def test_specific_refusals_are_documented(client):
    _, operations = await _operations(client)
    register = operations[("post", "/api/events/{slug}/registration")]
    for status in (400, 401, 404, 409, 422):
        _problem_answer(register, status)
    assert register["security"] == [{"memberToken": []}]
    _problem_answer(
        operations[("post", "/api/manage/registrations/{registration_id}/approve")], 409
    )
    _problem_answer(operations[("post", "/api/manage/events")], 422)
    _problem_answer(operations[("get", "/api/events/{slug}")], 404)
    _problem_answer(operations[("get", "/api/certificates/{code}")], 429)


async def test_the_documented_answers_are_the_ones_given(client, world):
    _, operations = await _operations(client)
    approve = "/api/manage/registrations/{registration_id}/approve"
    publish = "/api/manage/events/{slug}/publish"
    event = await world.create_event(client, publish=False)
    checks = [
        ("post", approve, approve.format(registration_id=1), {}, 401),
        ("post", approve, approve.format(registration_id=999999), auth(world.admin), 404),
        ("post", publish, publish.format(slug=event["slug"]), auth(world.checkin_staff), 403),
    ]
    for method, template, path, headers, status in checks:
        response = await client.request(method, path, headers=headers, json={})
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        assert str(status) in operations[(method, template)]["responses"]
