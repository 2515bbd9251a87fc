from devinfra.testkit import ok

from .flows import planned_group, referred


async def test_smoke(api, people, as_role):
    programmes = await ok(await api.get("/programmes", headers=as_role("dpip")))
    assert programmes["total"] == 15
    person = await people.followed("p-1")
    group = await planned_group(api, as_role, "programme-parcours", people.today)
    assert len(group["sessions"]) == 12
    referral = await referred(api, as_role, person, "programme-parcours")
    assert referral["status"] == "eligible"
    enrolled = await ok(await api.post(f"/referrals/{referral['referral_id']}/enrol", headers=as_role("cpip"),
                                       json={"group_id": group["group_id"]}))
    assert enrolled["status"] == "enrolled"
    await people.close_case(person["case_id"])
    after = await ok(await api.get(f"/referrals/{referral['referral_id']}", headers=as_role("dpip")))
    assert after["status"] == "withdrawn" and after["end_reason"] == "released"
