"""The fault suite (``make faults``): Convene as deployed, parts of it killed and restarted.

Every test here is marked ``faults``; the default run (``make test``) leaves them out
(pyproject's ``-m "not faults"``) and CI runs them once. Missing PostgreSQL server binaries
or redis-server fail the suite; nothing is skipped.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
from pathlib import Path

import pytest

from tests.faults.stack import Seed, Stack, copy_database, seeded_template
from tests.support.instances import OwnPostgres

MEMBERS = 220  # seeded once; each test registers some of them
TEMPLATE = "convene_faults_template"
_databases = itertools.count(1)


@pytest.hookimpl(tryfirst=True)  # before -m "not faults" deselects by the marker
def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="session")
def own_postgres():
    with OwnPostgres() as postgres:
        yield postgres


@pytest.fixture(scope="session")
def seed(own_postgres: OwnPostgres, tmp_path_factory) -> Seed:
    env = {"CONVENE_DATA_DIR": str(tmp_path_factory.mktemp("seed"))}
    return seeded_template(own_postgres, TEMPLATE, MEMBERS, {**os.environ, **env})


@pytest.fixture
def stack(own_postgres: OwnPostgres, seed: Seed):
    """A fresh copy of the seeded database, Redis, the fakes and the web processes; the
    test starts the worker."""
    url = copy_database(own_postgres, TEMPLATE, f"faults_{next(_databases)}")
    directory = Path(tempfile.mkdtemp(prefix="convene-faults-"))
    deployed = Stack(own_postgres, url, directory)
    try:
        yield deployed.start()
    finally:
        deployed.close()
        for name in ("web", "worker"):
            if text := deployed.tracebacks(name):
                print(f"--- {name}.log\n{text[-20000:]}", file=sys.stderr)
