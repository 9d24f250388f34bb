import keras
import pytest


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend: {keras.backend.backend()}"


@pytest.fixture(autouse=True)
def isolated_working_directory(tmp_path, monkeypatch):
    """Each test runs in an empty folder of its own, never the user's working tree.

    A command that reads or writes relative paths (`keras-seq train`'s
    `runs/<app>`) then sees what the test made, not a user's earlier runs.
    """
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def fresh_keras_state():
    """Each test starts with float32, a seeded RNG and no leftover names."""
    keras.config.set_dtype_policy("float32")
    keras.utils.set_random_seed(1337)
    yield
    keras.config.set_dtype_policy("float32")
    # free_memory=False skips a gc.collect() that costs ~0.5 s a test.
    keras.backend.clear_session(free_memory=False)
