"""SSH signatures on sign-off records (issue 12, part 2; triage/knowledge/signatures.py): a reviewer signs
with `rules approve --sign-with KEY`, `rules status --verify --allowed-signers FILE` checks every record."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from support.kb_copies import rules_copy

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None,
                                reason="ssh-keygen (openssh-client) is not installed; .ci/run installs it")


@pytest.fixture
def key(tmp_path: Path) -> Path:
    """A throwaway ed25519 key without a passphrase."""
    path = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", str(path)], check=True)
    return path


def allowed_signers(tmp_path: Path, key: Path, name: str = "Dr A. Smith") -> Path:
    path = tmp_path / "allowed_signers"
    path.write_text(f'"{name}" namespaces="calcitriage-review" {key.with_suffix(".pub").read_text().strip()}\n',
                    encoding="utf-8")
    return path


def status_line(out: str, item: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(item + " "))


@pytest.fixture
def signed(cli, tmp_path: Path, key: Path) -> Path:
    """A copy of the rules with lungs.tb_history approved and signed by Dr A. Smith, text.about unsigned."""
    rules = rules_copy(tmp_path, {})
    result = cli("rules", "approve", "lungs.tb_history", "--reviewer", "Dr A. Smith", "--role", "pulmonologist",
                 "--sign-with", key, "--rules", rules)
    assert result.code == 0, result.err
    assert result.out.startswith("approved lungs.tb_history by Dr A. Smith (pulmonologist) on ")
    assert result.out.splitlines()[0].endswith(", signed")
    assert cli("rules", "approve", "text.about", "--reviewer", "Dr A. Smith", "--role", "pulmonologist",
               "--rules", rules).code == 0
    saved = (rules / "reviews.yaml").read_text(encoding="utf-8")
    assert "  signature: |\n    -----BEGIN SSH SIGNATURE-----\n" in saved
    return rules


def test_without_verify_status_says_which_records_are_unsigned_and_that_signatures_were_not_checked(cli, signed):
    result = cli("rules", "status", "--rules", signed)
    assert result.code == 0
    assert ", signed, not checked)" in status_line(result.out, "lungs.tb_history")
    assert ", unsigned)" in status_line(result.out, "text.about")
    assert "Signatures: 1 records unsigned, 1 signed (signed, not checked: use --verify --allowed-signers FILE)" \
        in result.out


def test_a_good_signature_verifies(cli, signed, key, tmp_path):
    result = cli("rules", "status", "--verify", "--allowed-signers", allowed_signers(tmp_path, key), "--rules", signed)
    assert result.code == 0, result.out
    assert ", good)" in status_line(result.out, "lungs.tb_history")
    assert ", unsigned)" in status_line(result.out, "text.about")
    assert "Signatures: 1 good, 0 bad, 1 unsigned" in result.out


@pytest.mark.parametrize(("old", "new"), [("reviewer: Dr A. Smith", "reviewer: Dr B. Jones"),
                                          ("date: 20", "date: 19")], ids=["reviewer", "date"])
def test_a_tampered_record_verifies_as_bad(cli, signed, key, tmp_path, old: str, new: str):
    signers = tmp_path / "signers"
    signers.write_text(allowed_signers(tmp_path, key).read_text()
                       + allowed_signers(tmp_path, key, "Dr B. Jones").read_text(), encoding="utf-8")
    path = signed / "reviews.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = cli("rules", "status", "--verify", "--allowed-signers", signers, "--rules", signed)
    assert result.code == 1
    assert ", bad)" in status_line(result.out, "lungs.tb_history")
    assert "Signatures: 0 good, 1 bad, 1 unsigned" in result.out


def test_a_signature_by_a_key_not_allowed_for_the_reviewer_is_bad(cli, signed, tmp_path):
    other = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", str(other)], check=True)
    result = cli("rules", "status", "--verify", "--allowed-signers", allowed_signers(tmp_path, other),
                 "--rules", signed)
    assert result.code == 1
    assert ", bad)" in status_line(result.out, "lungs.tb_history")


def test_verify_needs_the_allowed_signers_file(cli, signed, tmp_path):
    result = cli("rules", "status", "--verify", "--rules", signed)
    assert result.code == 2
    assert result.err.strip() == "error: field '--verify': needs --allowed-signers FILE: who may sign, and with " \
                                 "which key"
    missing = cli("rules", "status", "--verify", "--allowed-signers", tmp_path / "nope", "--rules", signed)
    assert missing.code == 2 and missing.err.strip() == f"error: {tmp_path / 'nope'}: does not exist"


def test_signing_with_a_key_that_is_not_there_is_refused_and_records_nothing(cli, tmp_path):
    rules = rules_copy(tmp_path, {})
    before = (rules / "reviews.yaml").read_text(encoding="utf-8")
    result = cli("rules", "approve", "lungs.tb_history", "--reviewer", "Dr A. Smith", "--role", "GP",
                 "--sign-with", tmp_path / "no-such-key", "--rules", rules)
    assert result.code == 2
    assert result.err.startswith(f"error: {tmp_path / 'no-such-key'}: could not sign with this key: ")
    assert (rules / "reviews.yaml").read_text(encoding="utf-8") == before
