"""``afkg quote``: the passage node of a fragment of an article, ready to paste into a facts file.

The fragment is looked for, verbatim, in the own text of every section of the relation folder's
source documents (headings are not looked in). By default the passage quotes the whole sentence (or
the sentences) the fragment lies in; with ``exact`` it quotes the fragment itself. Its IRI is minted
from its section and place, so the same passage always gets the same IRI:

- ``src:<section>-<k>``: the k-th sentence (or infobox item) of the section, whole;
- ``src:<section>-<k>-to-<m>``: sentences k to m, whole;
- ``src:<section>-<k>-at-<a>-<b>``: characters a to b (from 1) of the text from sentence k on.

Zero occurrences, or occurrences that make different passages, are an error (exit 1) naming every
place the fragment occurs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from afkg.article import outline
from afkg.authoring.names import slug, source_namespace, turtle_string
from afkg.authoring.sentences import overlapping, section_sentences
from afkg.errors import AfkgError, InputError, UsageError
from afkg.files import MAX_TEXT_BYTES, is_folder, read_text
from afkg.graph import parse_turtle, position
from afkg.layout import Layout
from afkg.namespaces import AFKG, RDFS
from afkg.validation.validate import section_paths

MAX_FRAGMENT = 10_000
"""The longest fragment taken, in characters."""
_LISTED = 10
MAX_PLACES = 1000
"""Occurrences looked at, at most: a fragment found this often is ambiguous anyway."""


class QuoteNotFound(AfkgError):
    """The fragment is nowhere in the text, or in several places that make different passages."""

    exit_code = 1


@dataclass(frozen=True)
class Passage:
    """A passage to paste: its IRI, its section's IRI, its quote, and where the fragment was found."""

    iri: str
    section: str
    quote: str
    source: str
    """The text file, relative to the project folder."""
    line: int
    column: int
    section_label: str

    def turtle(self, namespace: str) -> str:
        """The passage node in Turtle, with the prefix ``src:`` for IRIs in ``namespace``."""
        def term(iri: str) -> str:
            rest = iri[len(namespace):]
            simple = iri.startswith(namespace) and rest and all(c.isascii() and (c.isalnum() or c in "-_")
                                                                 for c in rest) and rest[0] != "-"
            return f"src:{rest}" if simple else f"<{iri}>"
        return (f"{term(self.iri)} a afkg:Passage ; afkg:inSection {term(self.section)} ;\n"
                f"    afkg:quote {turtle_string(self.quote)} .\n")


@dataclass(frozen=True)
class _Document:
    iri: str
    text_file: Path
    sections: dict[tuple[str, ...], str]
    """The graph's section IRIs by path."""
    quotes: dict[str, str]
    """The quotes of the passages the folder already has, by IRI."""


def _documents(layout: Layout, folder: Path) -> list[_Document]:
    """The source documents of a relation folder, with their sections and passages."""
    graph = Graph()
    for path in layout.turtle_files(folder):
        parse_turtle(path, graph, shown_as=layout.display(path))
    rows = []
    for section, document in graph.subject_objects(AFKG.ofDocument):
        for label in graph.objects(section, RDFS.label):
            row = {"section": section, "document": document, "label": label}
            parent = graph.value(section, AFKG.parentSection)
            if parent is not None:
                row["parent"] = parent
            rows.append(row)
    paths = section_paths(rows)
    quotes = {str(p): str(q) for p, q in graph.subject_objects(AFKG.quote)}
    found = []
    for document, name in sorted(graph.subject_objects(AFKG.localFile), key=lambda pair: str(pair[0])):
        if not isinstance(document, URIRef) or "/" in str(name) or str(name) in ("", ".", ".."):
            raise InputError(f"{layout.display(folder)}: afkg:localFile \"{name}\" is not a file of the folder")
        sections: dict[tuple[str, ...], str] = {}
        for section, section_path in sorted(paths.items(), key=lambda item: str(item[0])):
            if graph.value(section, AFKG.ofDocument) == document:
                sections.setdefault(section_path, str(section))
        found.append(_Document(str(document), folder / str(name), sections, quotes))
    if not found:
        raise InputError(f"{layout.display(folder)}: no afkg:SourceDocument with an afkg:localFile "
                         "(does the folder come from 'afkg new'?)")
    return found


def find_passages(layout: Layout, pair: str, fragment: str, *, exact: bool = False) -> list[Passage]:
    """Every distinct passage ``fragment`` makes in the folder ``data/<pair>/``, in the order of the
    texts."""
    if not fragment.strip() or len(fragment) > MAX_FRAGMENT:
        raise UsageError(f"give a fragment of the text of 1 to {MAX_FRAGMENT} characters, not only spaces")
    folder = layout.data_dir / pair
    if "/" in pair or pair in ("", ".", "..") or not is_folder(folder):
        raise UsageError(f"no relation folder {layout.display(layout.data_dir)}/{pair}")
    namespace = source_namespace(pair)
    passages: list[Passage] = []
    for document in _documents(layout, folder):
        shown = layout.display(document.text_file)
        text = read_text(document.text_file, MAX_TEXT_BYTES, shown)
        for section in outline(text):
            spans = section_sentences(section)
            section_iri = document.sections.get(section.path)
            if section_iri is None:
                section_iri = namespace + slug(section.label)
            local = section_iri.rsplit("/", 1)[-1]
            for start, end in section.find(fragment, MAX_PLACES - len(passages)):
                touched = overlapping(spans, start, end)
                if not touched:
                    continue
                first, last = touched[0] + 1, touched[-1] + 1
                if exact:
                    base = spans[first - 1].start
                    iri, quote = f"{local}-{first}-at-{start - base + 1}-{end - base}", fragment
                else:
                    iri = f"{local}-{first}" if first == last else f"{local}-{first}-to-{last}"
                    quote = text[spans[first - 1].start:spans[last - 1].end]
                line, column = position(text, start)
                passages.append(Passage(namespace + iri, section_iri, quote, shown, line, column, section.shown))
            if len(passages) >= MAX_PLACES:
                break
    distinct: dict[tuple[str, str], Passage] = {}
    for passage in passages:
        distinct.setdefault((passage.iri, passage.quote), passage)
    return list(distinct.values())


def quote(layout: Layout, pair: str, fragment: str, *, exact: bool = False) -> Passage:
    """The one passage ``fragment`` makes; :class:`QuoteNotFound` when it makes none or several."""
    found = find_passages(layout, pair, fragment, exact=exact)
    shown = fragment if len(fragment) <= 60 else fragment[:57] + "…"
    if not found:
        raise QuoteNotFound(f"{shown!r} does not occur in the sentences of {layout.display(layout.data_dir / pair)}"
                            " (headings are not quoted; the fragment must match character for character)")
    if len(found) > 1:
        places = [f"{p.source}:{p.line}:{p.column} ({p.section_label})" for p in found[:_LISTED]]
        more = "" if len(found) <= _LISTED else (
            " and more" if len(found) >= MAX_PLACES else f" and {len(found) - _LISTED} more")
        count = f"{len(found)}" if len(found) < MAX_PLACES else f"at least {MAX_PLACES}"
        raise QuoteNotFound(f"{shown!r} is ambiguous: it occurs in {count} places, "
                            f"{', '.join(places)}{more}; give more of the sentence")
    return found[0]


def existing_quote(layout: Layout, pair: str, passage: Passage) -> str | None:
    """The quote the folder already gives the passage's IRI, if any."""
    for document in _documents(layout, layout.data_dir / pair):
        if passage.iri in document.quotes:
            return document.quotes[passage.iri]
    return None
