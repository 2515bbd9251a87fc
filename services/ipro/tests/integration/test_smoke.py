from devinfra.testkit import ok


async def test_smoke(api, residents, catalogue, as_role, clock):
    person = await residents.admitted("p-1", release_in_days=150)
    chef = as_role("ipro_chef")
    pathway = await ok(await api.get(f"/pathways/{person['pathway_id']}", headers=chef))
    assert pathway["synthesis_due_on"] == "2026-12-04"
    action = await catalogue.published_action()
    positioned = await ok(await api.post(f"/pathways/{person['pathway_id']}/positionings", headers=chef,
                                         json={"action_id": action["action_id"], "session_id": action["session_id"]}), 201)
    assert positioned["status"] == "proposed"
    await residents.released(person["case_id"])
    closed = await ok(await api.get(f"/pathways/{person['pathway_id']}", headers=chef))
    assert closed["closed_on"] is not None and closed["exit_outcome"]["situation"] == "not_recorded"
