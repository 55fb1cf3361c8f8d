"""The schema module's head constant never drifts from the migration scripts."""

import subprocess
import sys

from alembic.config import Config
from alembic.script import ScriptDirectory

from dispatch_desktop.storage import schema


def test_head_constant_matches_alembic_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(schema.MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == schema.HEAD_REVISION


def test_ensure_ready_on_a_current_database_does_not_import_alembic(tmp_path) -> None:
    code = (
        "import sys\n"
        "from dispatch_desktop.storage.engine import Database, sqlite_url\n"
        "from dispatch_desktop.storage import schema\n"
        "from pathlib import Path\n"
        f"db = Database(sqlite_url(Path({str(tmp_path / 'a.db')!r})))\n"
        "schema.ensure_ready(db)\n"  # creates it: Alembic needed
        "db.dispose()\n"
        "for name in [m for m in sys.modules if m == 'alembic' or m.startswith('alembic.')]:\n"
        "    del sys.modules[name]\n"
        f"db = Database(sqlite_url(Path({str(tmp_path / 'a.db')!r})))\n"
        "schema.ensure_ready(db)\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
