"""Where things live in the repository checkout (devinfra is installed editable from deploy/src)."""

from pathlib import Path

DEPLOY_DIR = Path(__file__).resolve().parents[2]
REPO_ROOT = DEPLOY_DIR.parent
# Everything `make up` creates: data, logs, pid files, keys and the Kafka jar cache. Git-ignored.
VAR_DIR = REPO_ROOT / "var"
