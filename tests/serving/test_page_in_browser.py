"""The page end to end in headless Chromium (Debian's chromium and chromium-driver,
driven by Selenium): type a review and read the answer off the page, draw and
upload to ViT, stream a generation. Only 127.0.0.1; every wait is bounded.
"""

import shutil

import numpy as np
import pytest

from keras_seq.cli.serve import build_app
from tests.serving import default_under
from tests.serving.server import running

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="needs Debian's chromium and chromium-driver (apt-get install "
    "chromium chromium-driver)",
)
WAIT = 120


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


def _open(browser, url):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element("tag name", "body").get_attribute("data-ready")
    )


def _wait_for_label(browser, previous=""):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, WAIT).until(
        lambda d: (
            d.find_element("id", "probabilities").get_attribute("innerHTML")
            not in ("", previous)
            or d.find_element("id", "error").text
        )
    )
    assert browser.find_element("id", "error").text == ""
    rows = browser.find_elements("css selector", "#probabilities tr")
    return browser.find_element("id", "label").text, {
        row.get_attribute("data-label"): float(row.get_attribute("data-probability"))
        for row in rows
    }


@default_under("jax")
def test_type_a_review_and_read_the_answer(browser, tmp_path):
    app = build_app("rotten_tomatoes")
    model = app.state.service.model
    text = "a dull, flat film that goes on far too long"
    with running(app) as url:
        _open(browser, url)
        box = browser.find_element("id", "text")
        box.clear()
        box.send_keys(text)
        browser.find_element("id", "classify").click()
        label, probabilities = _wait_for_label(browser)
        browser.save_screenshot(str(tmp_path / "text_classifier.png"))
        # Empty text: a message on the page, and the page still answers.
        box.clear()
        browser.find_element("id", "classify").click()
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(browser, WAIT).until(lambda d: d.find_element("id", "error").text)
        assert "empty" in browser.find_element("id", "error").text
    expected = model.predict([text], verbose=0)[0]
    labels = app.state.service.info()["labels"]
    assert label == labels[int(expected.argmax())]
    np.testing.assert_allclose(
        [probabilities[name] for name in labels], expected, atol=1e-6
    )
    assert (tmp_path / "text_classifier.png").stat().st_size > 10_000


@default_under("torch")
def test_upload_a_digit_and_draw_one(browser, tmp_path):
    from PIL import Image

    from keras_seq.datasets import mnist

    app = build_app("mnist_vit")
    model = app.state.service.model
    images, _ = mnist.load_data("test")
    path = tmp_path / "digit.png"
    Image.fromarray(images[3][..., 0]).save(path)
    with running(app) as url:
        _open(browser, url)
        browser.find_element("id", "upload").send_keys(str(path))
        label, probabilities = _wait_for_label(browser)
        labels = app.state.service.info()["labels"]
        expected = model.predict(images[3:4], verbose=0)[0]
        assert label == labels[int(expected.argmax())]
        assert probabilities[label] == pytest.approx(float(expected.max()), abs=1e-5)
        assert browser.find_elements("css selector", "#attention td")
        # A stroke on the canvas: any answer, no error.
        from selenium.webdriver import ActionChains

        previous = browser.find_element("id", "probabilities").get_attribute(
            "innerHTML"
        )
        canvas = browser.find_element("id", "canvas")
        ActionChains(browser).move_to_element_with_offset(
            canvas, 0, -80
        ).click_and_hold().move_by_offset(0, 160).release().perform()
        browser.find_element("id", "send-drawing").click()
        _wait_for_label(browser, previous)
        browser.save_screenshot(str(tmp_path / "vit.png"))


@default_under("torch")
def test_stream_a_generation(browser):
    from selenium.webdriver.support.ui import Select
    from selenium.webdriver.support.ui import WebDriverWait

    app = build_app("hamlet_char_lm")
    model = app.state.service.model
    with running(app) as url:
        _open(browser, url)
        prompt = browser.find_element("id", "prompt")
        prompt.clear()
        prompt.send_keys("HAMLET")
        Select(browser.find_element("id", "sampler")).select_by_visible_text("greedy")
        length = browser.find_element("id", "max-length")
        length.clear()
        length.send_keys("32")
        browser.find_element("id", "generate").click()
        WebDriverWait(browser, WAIT).until(
            lambda d: (
                d.find_element("id", "output").get_attribute("data-done")
                or d.find_element("id", "error").text
            )
        )
        assert browser.find_element("id", "error").text == ""
        shown = browser.find_element("id", "output").get_attribute("textContent")
    assert shown == model.generate("HAMLET", max_length=32, sampler="greedy")


@default_under("jax")
def test_type_a_series_and_read_each_step(browser):
    from selenium.webdriver.support.ui import WebDriverWait

    app = build_app("sunspots_lstm")
    with running(app) as url:
        _open(browser, url)
        box = browser.find_element("id", "sequence")
        box.send_keys("50, 60, 70, 80")
        browser.find_element("id", "tag").click()
        WebDriverWait(browser, WAIT).until(
            lambda d: (
                d.find_elements("css selector", "#steps td.output")
                or d.find_element("id", "error").text
            )
        )
        assert browser.find_element("id", "error").text == ""
        shown = [
            float(cell.text)
            for cell in browser.find_elements("css selector", "#steps td.output")
        ]
        expected = app.state.service.tag("50, 60, 70, 80")
        assert shown == [step["output"] for step in expected["steps"]]
        assert f"{expected['next']}" in browser.find_element("id", "next").text
        box.clear()
        box.send_keys("fifty")
        browser.find_element("id", "tag").click()
        WebDriverWait(browser, WAIT).until(lambda d: d.find_element("id", "error").text)
        assert "numbers" in browser.find_element("id", "error").text


@pytest.mark.slow
def test_upload_a_number_and_read_its_caption(browser, tmp_path):
    from PIL import Image
    from selenium.webdriver.support.ui import Select
    from selenium.webdriver.support.ui import WebDriverWait

    from keras_seq.datasets import digit_captions

    app = build_app("digit_captions")
    model = app.state.service.model
    images, _ = digit_captions.load_data("test")
    path = tmp_path / "number.png"
    Image.fromarray(images[1][..., 0]).save(path)
    with running(app) as url:
        _open(browser, url)
        assert browser.find_element("id", "canvas").get_attribute("width") == "840"
        Select(browser.find_element("id", "sampler")).select_by_visible_text("greedy")
        browser.find_element("id", "upload").send_keys(str(path))
        WebDriverWait(browser, WAIT).until(
            lambda d: (
                d.find_element("id", "output").get_attribute("data-done")
                or d.find_element("id", "error").text
            )
        )
        assert browser.find_element("id", "error").text == ""
        shown = browser.find_element("id", "output").get_attribute("textContent")
        browser.save_screenshot(str(tmp_path / "captioner.png"))
    assert shown == model.generate(images[1:2], sampler="greedy")[0]
