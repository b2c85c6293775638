"""`Law.digest`: what a projection records it was judged under."""

from __future__ import annotations

from habeas.jurisdictions import digest, load, read_documents
from habeas.law.package import Law, Overlay, digest_of


def test_the_packages_digest_is_known_without_loading_it():
    assert load("kz").digest == digest("kz")
    assert len(digest("kz")) == 64


def test_a_changed_value_or_an_overlay_changes_the_digest():
    documents = read_documents("kz")
    base = Law.from_documents(documents)
    assert Law.from_documents(read_documents("kz")).digest == base.digest  # the same documents, the same digest
    changed = {**documents, "gravity.yaml": {**documents["gravity.yaml"], "note": "a corrected value"}}
    assert Law.from_documents(changed).digest != base.digest
    what_if = base.with_overlay(Overlay(name="what-if"))
    assert what_if.digest not in ("", base.digest)


def test_keys_of_mixed_types_are_hashed_not_compared():
    """A year key beside a misspelt one: validation refuses it later, the digest must not fail first."""
    assert digest_of({2024: 1, "2024x": 2}) != digest_of({2024: 1, "2024y": 2})
    assert digest_of({"b": 1, "a": [1, {"d": 2, "c": 3}]}) == digest_of({"a": [1, {"c": 3, "d": 2}], "b": 1})
