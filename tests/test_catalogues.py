"""The translation catalogues are complete: every word of the UI (the templates' and the
code's msgids), every label of the register's codes, and every text of the law package a
page shows (rule titles, parameter descriptions, indicator titles and labels, region names)
has its Kazakh and Russian in `presentation/locale`; and every message key of the law
package's own catalogues (`jurisdictions/<package>/messages`) is in every language."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from habeas.jurisdictions import load, package_root
from habeas.jurisdictions.messages import catalogue
from habeas.jurisdictions.reference import load as reference
from habeas.law.rules import describe, rule_codes
from habeas.presentation.labels import LABELS
from habeas.presentation.refusals import PATTERNS
from habeas.presentation.wording import CITATION, LOCALE, UNITS

SOURCE = Path(__file__).resolve().parents[1] / "src" / "habeas"
LANGUAGES = ("ru", "kk")


def ui_msgids() -> set[str]:
    """What `_()`, `gettext` and `ngettext` name in the templates and the drivers' code."""
    found: set[str] = set()
    for folder, method in (("web/templates", "jinja2"), ("web", "python"), ("presentation", "python")):
        mapping = [("**.html", method)] if method == "jinja2" else [("**.py", "python")]
        for _name, _line, message, _comments, _context in extract_from_dir(
            SOURCE / folder, method_map=mapping, keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
        ):
            found.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return found


def data_texts(jurisdiction: str = "kz") -> set[str]:
    """The English texts of the law package that pages show, each a msgid of the catalogues."""
    law = load(jurisdiction)
    texts: set[str] = set(LABELS.values())
    citations: set[str] = set()
    for code in rule_codes(law):
        rule = describe(law, code)
        texts.add(rule["title"])
        texts.update(d for d in (rule.get("parameter_descriptions") or {}).values() if d)
        citations.add(rule.get("citation") or "")
        for versions in (rule.get("parameters") or {}).values():
            citations.update(v.get("citation") or "" for v in versions)
    # the acts cited, and the patterns and units `Wording.citation` and `.value` word
    for text in citations:
        for piece in filter(None, text.split("; ")):
            texts.add(CITATION.match(piece).group("act"))
    texts.update(UNITS.values())
    texts.update(msgid for _pattern, msgid in PATTERNS)  # a refusal's words
    # the UI's own read purposes
    texts.update(
        ("case review", "case list", "detention board", "home: alerts", "home: my work", "record: choose the act")
    )
    texts.update({"%(act)s art. %(article)s part %(part)s", "%(act)s art. %(article)s", "yes", "no"})
    texts.update({"%(act)s arts. %(article)s", "%(act)s art. %(article)s parts %(part)s"})  # several cited
    ref = reference(jurisdiction)
    texts.update(r["name"] for r in ref["regions"].get("regions") or [])

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("title", "label") and isinstance(value, str):
                    texts.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(ref["indicators"])
    plausibility = yaml.safe_load((package_root(jurisdiction) / "plausibility.yaml").read_text(encoding="utf-8"))
    texts.update(_reasons(plausibility))
    return {t.strip() for t in texts if t and t.strip()}


def _reasons(node) -> set[str]:
    """Every `reason` of a package document (a refusal quotes it)."""
    if isinstance(node, dict):
        return {v for k, v in node.items() if k == "reason" and isinstance(v, str)} | {
            r for v in node.values() for r in _reasons(v)
        }
    return {r for item in node for r in _reasons(item)} if isinstance(node, list) else set()


def translated(lang: str) -> dict[str, str]:
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale=lang) if m.id and m.string}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_word_of_the_ui_and_of_the_package_is_translated(lang):
    words = translated(lang)
    missing = sorted((ui_msgids() | data_texts()) - set(words))
    assert not missing, f"{len(missing)} texts have no {lang} translation: {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_of_the_law_package_is_in_every_language(lang):
    english = set(catalogue("kz", "en"))
    assert english, "the package's English catalogue is empty"
    missing = sorted(english - set(catalogue("kz", lang)))
    assert not missing, f"{len(missing)} message keys have no {lang} text: {missing}"
