import subprocess
import sys

import keras_seq


def test_version_is_set():
    major, minor, patch = keras_seq.__version__.split(".")
    assert all(part.isdigit() for part in (major, minor, patch))


def test_import_is_light():
    """`import keras_seq` loads no backend, no Keras and no KerasHub."""
    code = (
        "import sys, keras_seq; "
        "print(sorted(m for m in ('keras', 'keras_hub', 'tensorflow', 'jax', 'torch') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_subpackages_load_on_first_use():
    assert keras_seq.layers.TransformerEncoder.__name__ == "TransformerEncoder"
    assert keras_seq.applications.CausalLM.__name__ == "CausalLM"


def test_applications_do_not_import_keras_hub():
    code = "import sys, keras_seq.applications; print('keras_hub' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "False"
