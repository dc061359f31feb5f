"""Optional SSH signatures on sign-off records, made and checked by `ssh-keygen -Y` (as git does).

A reviewer signs the canonical text of their record (`reviews.record_text`) with their own key; whoever
checks holds an allowed-signers file that names each reviewer's key (`"Dr A. Smith" namespaces=
"calcitriage-review" ssh-ed25519 AAAA...`). The reviewer's name is the identity checked, so a record
whose reviewer, date, item or content was changed after signing does not verify.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from triage.errors import KnowledgeBaseError, Place, Problem

NAMESPACE = "calcitriage-review"
GOOD, BAD, UNSIGNED, NOT_CHECKED = "good", "bad", "unsigned", "signed, not checked"


def _ssh_keygen(where: str) -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise KnowledgeBaseError([Problem("no-ssh-keygen", Place(where),
                                          "ssh-keygen (OpenSSH 8.2 or later) is needed for signatures; install "
                                          "it (Debian: apt-get install openssh-client)")])
    return found


def sign(data: str, key: Path) -> str:
    """The armored SSH signature of `data` made with the private key file `key`."""
    program = _ssh_keygen(str(key))
    with tempfile.TemporaryDirectory(prefix="calcitriage-sign-") as folder:
        record = Path(folder) / "record"
        record.write_text(data, encoding="utf-8")
        done = subprocess.run([program, "-Y", "sign", "-f", str(key), "-n", NAMESPACE, str(record)],
                              capture_output=True, text=True, check=False)
        signature = Path(f"{record}.sig")
        if done.returncode != 0 or not signature.is_file():
            reason = " ".join(done.stderr.split()) or f"ssh-keygen ended with {done.returncode}"
            raise KnowledgeBaseError([Problem("signing-failed", Place(str(key)),
                                              f"could not sign with this key: {reason}")])
        return signature.read_text(encoding="utf-8").strip() + "\n"


def verify(data: str, signature: str, identity: str, allowed_signers: Path) -> bool:
    """Whether `signature` is a good signature of `data` by a key the allowed-signers file gives `identity`."""
    program = _ssh_keygen(str(allowed_signers))
    with tempfile.TemporaryDirectory(prefix="calcitriage-verify-") as folder:
        sig_file = Path(folder) / "record.sig"
        sig_file.write_text(signature, encoding="utf-8")
        done = subprocess.run([program, "-Y", "verify", "-f", str(allowed_signers), "-I", identity,
                               "-n", NAMESPACE, "-s", str(sig_file)],
                              input=data, capture_output=True, text=True, check=False)
    return done.returncode == 0
