"""`make up`'s checkpoint keys (devinfra.checkpoint_keys, ADR 27): one Ed25519 key per service, created once,
readable by its owner only, its public key beside it for the verifier."""

import stat

from devinfra.checkpoint_keys import checkpoint_key_variable, dev_checkpoint_keys
from kernel.checkpoints import SigningKey, public_keys


def test_each_service_gets_a_key_of_its_own_kept_across_restarts_and_its_public_key_for_the_verifier(
    tmp_path,
):
    first = dev_checkpoint_keys(tmp_path, ["assessment", "ipro"])
    assert set(first) == {"ASSESSMENT_CHECKPOINT_KEY_FILE", "IPRO_CHECKPOINT_KEY_FILE"}
    keys = {
        service: SigningKey.from_file(tmp_path / "checkpoints" / f"{service}.key")
        for service in ("assessment", "ipro")
    }
    assert keys["assessment"].key_id != keys["ipro"].key_id
    private_file = first[checkpoint_key_variable("assessment")]
    assert stat.S_IMODE((tmp_path / "checkpoints" / "assessment.key").stat().st_mode) == 0o600
    assert private_file.endswith("checkpoints/assessment.key")

    assert dev_checkpoint_keys(tmp_path, ["assessment", "ipro"]) == first
    for service, key in keys.items():
        assert SigningKey.from_file(tmp_path / "checkpoints" / f"{service}.key").key_id == key.key_id
        assert set(public_keys(tmp_path / "checkpoints", service)) == {key.key_id}
