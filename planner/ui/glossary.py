"""Help in place: the glossary of the terms the figures use and docs/FORMULAS.md served with the app, each
heading with an anchor the key figures' help texts link to (`formula_link`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

FORMULAS = Path(__file__).resolve().parents[2] / "docs" / "FORMULAS.md"
URL_PATH = "glossary"  # the page's address, relative to the app's root
HEADING = re.compile(r"^(#{1,4}) +(.+?) *$")
DRAWN_AS = {1: st.header, 2: st.subheader}  # a heading level of FORMULAS.md → how the page draws it

# Sections of docs/FORMULAS.md the key figures link to
QUANTITIES, CLOUD, EDGE, FINANCE, CARBON = (
    "quantities-per-month",
    "cloud-components",
    "edge-components",
    "finance",
    "carbon",
)


def anchor(heading: str) -> str:
    """A heading's anchor as GitHub makes it, so the document's own links work in both places:
    'Uplink capacity (per site, cameras spread evenly)' → 'uplink-capacity-per-site-cameras-spread-evenly'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def formula_link(section: str, text: str = "Formula") -> str:
    """A markdown link to a section of the Glossary & formulas page (opens beside the work, in a new tab)."""
    return f"[{text}]({URL_PATH}#{section})"


@dataclass(frozen=True)
class Term:
    term: str
    meaning: str
    section: str  # the FORMULAS.md section with its formula

    @property
    def anchor(self) -> str:
        return anchor(self.term)


TERMS = (
    Term(
        "Break-even",
        "The first moment, in fractional months from go-live, at which the cloud's cumulative cost reaches the "
        "edge's (capex included): from then on the edge has paid for itself. “Pays back in month N” rounds it up.",
        FINANCE,
    ),
    Term(
        "NPV",
        "Net present value of the savings: each month's cash saving (cloud minus edge) discounted at the yearly "
        "discount rate, less the discounted capex. Above 0 the move to the edge earns more than the rate.",
        FINANCE,
    ),
    Term(
        "IRR",
        "Internal rate of return of the move to the edge: the yearly discount rate at which the NPV of the cash "
        "savings is 0. Undefined when the cash flows never change sign; shown as over 1,000 % above that.",
        FINANCE,
    ),
    Term(
        "Split-brain",
        "Edge inference, cloud training: the devices on site answer every frame, and a small share of "
        "interesting frames goes back to the cloud to retrain the model (the feedback upload).",
        "architecture-advisor",
    ),
    Term(
        "Derating",
        "The share taken off a catalog throughput, a model-only benchmark, for the whole pipeline (decode, "
        "pre- and post-processing, several models): derated throughput = benchmark × (1 − derating).",
        "sizing",
    ),
    Term(
        "PUE",
        "Power usage effectiveness: a site's or data centre's total power over its IT equipment's power "
        "(1.2 = 20 % more for cooling and power conversion). It multiplies device energy and its cost.",
        EDGE,
    ),
    Term(
        "Embodied emissions",
        "The CO₂e of making and shipping a device, counted when it is bought (cash view) or spread over its "
        "useful life (accounting view); the cloud's share of its hardware is counted per accelerator hour.",
        CARBON,
    ),
)


def formulas_sections(text: str | None = None) -> list[tuple[int, str, str]]:
    """docs/FORMULAS.md as (heading level, heading, body) in order; the body's generated-table markers dropped
    and its '~' written literally (Streamlit's markdown would strike text through between two)."""
    text = FORMULAS.read_text(encoding="utf-8") if text is None else text
    sections, level, heading, body = [], 0, "", []
    for line in text.splitlines():
        found = HEADING.match(line)
        if found:
            if heading or body:
                sections.append((level, heading, "\n".join(body).strip()))
            level, heading, body = len(found.group(1)), found.group(2), []
        elif not line.startswith("<!-- "):
            body.append(line.replace("~", r"\~"))
    sections.append((level, heading, "\n".join(body).strip()))
    return sections


def anchors() -> set[str]:
    """Every anchor the page draws: the glossary's terms and the headings of docs/FORMULAS.md."""
    return {t.anchor for t in TERMS} | {anchor(h) for _, h, _ in formulas_sections() if h}


def render() -> None:
    st.title("Glossary & formulas")
    st.caption(
        "The terms the figures use, then how every figure is computed (docs/FORMULAS.md). The help (?) of each "
        "key figure links to its formula here."
    )
    st.header("Glossary", anchor="glossary")
    for term in TERMS:
        st.subheader(term.term, anchor=term.anchor)
        st.markdown(f"{term.meaning} [Formula](#{term.section})")
    for level, heading, body in formulas_sections():
        if heading and level in DRAWN_AS:
            DRAWN_AS[level](heading, anchor=anchor(heading))
        elif heading:  # a fourth-level heading: Streamlit's own anchor, the same words joined by '-'
            st.markdown(f"#### {heading}")
        if body:
            st.markdown(body)
