import numpy as np

from retrieval.embedder import FakeEmbedder, packaged_model_path
from retrieval.scrub import scrub


def test_fake_embedder_is_deterministic_unit_length_and_similarity_follows_words() -> None:
    embedder = FakeEmbedder()
    vectors = embedder.embed(["bookkeeping and payroll", "payroll and bookkeeping services", "wedding cakes"])
    again = FakeEmbedder().embed(["bookkeeping and payroll"])
    assert vectors.dtype == np.float32 and vectors.shape == (3, embedder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors[0], again[0])
    assert vectors[0] @ vectors[1] > 0.5 > vectors[0] @ vectors[2]


def test_fake_embedder_handles_empty_input() -> None:
    assert FakeEmbedder().embed([]).shape == (0, 256)
    assert np.isclose(np.linalg.norm(FakeEmbedder().embed([""])[0]), 1.0)


def test_the_model_ships_inside_the_installed_package() -> None:
    path = packaged_model_path()
    assert (path / "model.safetensors").exists() and (path / "modules.json").exists()


def test_scrub_removes_emails_phones_handles_and_names() -> None:
    text = (
        "Ask Maria Lopez at maria.lopez@bakery.co.uk or call +44 20 7946 0958 / 07700 900123, "
        "Slack @maria_l. We bake 300 loaves a day since 2015."
    )
    cleaned = scrub(text, ["Maria Lopez"])
    for secret in ("maria", "Lopez", "@bakery", "7946", "900123", "@maria_l"):
        assert secret.lower() not in cleaned.lower()
    assert "300 loaves a day since 2015" in cleaned
