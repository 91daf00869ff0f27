async def test_health(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] is True


async def test_register(client, world):
    event = await world.create_event(client, capacity=1)
    a, b = await world.members(2)
    first = await client.post(f"/api/events/{event['slug']}/registration", headers=a.headers)
    second = await client.post(f"/api/events/{event['slug']}/registration", headers=b.headers)
    assert first.status_code == 201, first.text
    assert second.json()["status"] == "waitlisted"
