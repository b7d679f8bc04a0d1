"""``afkg new``: a relation folder scaffolded from an article's text.

From the text alone it writes what every relation folder needs before its facts: the text itself,
byte for byte; its licence; the source document, the dataset description and every section and
subsection in order with its parent; and the relation between the two parties with the passages it
comes from. Each party is looked up among the shared entities by label or alternative label; one
that is not there is created in the folder, marked as needing a Wikidata link.

The parties are the infobox's ``Party1:`` and ``Party2:`` lines, else the two names of a title
``X–Y relations``. The relation is derived from the infobox's ``Title:``, ``Party1:`` and ``Party2:``
lines, else from the first sentence that names both parties (else one, else the first sentence).

Nothing is written unless everything checks: the folder is written whole into a temporary folder
beside it, then renamed into place.
"""

from __future__ import annotations

import datetime
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from afkg.article import INFOBOX, Section, headings, outline
from afkg.atomic import write_files, write_folder
from afkg.authoring.names import (
    MAX_PAIR_NAME,
    PAIR_NAME,
    RESERVED_FOLDERS,
    RESOURCE,
    document_iri,
    local_name,
    relation_namespace,
    slug,
    source_namespace,
    turtle_string,
)
from afkg.authoring.sentences import Span, section_sentences
from afkg.errors import InputError, UsageError
from afkg.files import MAX_TEXT_BYTES, decode_utf8, is_folder, read_bytes
from afkg.graph import parse_turtle
from afkg.layout import Layout
from afkg.namespaces import AFKG

MAX_SOURCE_BYTES = MAX_TEXT_BYTES
"""The largest article text ``afkg new`` takes: the same 16 MiB that ``afkg validate`` reads."""
MAX_TITLE = 300
MAX_PARTY = 200
"""The longest party name taken, in characters."""
MAX_URL = 2000
LICENCE = "https://creativecommons.org/licenses/by-sa/4.0/"
LANGUAGE = "en"

_INFOBOX_FIELD = re.compile(r"(?P<key>[A-Za-z][A-Za-z0-9 ]*?)\s*:\s*(?P<value>.+)")
_RELATION_FIELDS = ("Title", "Party1", "Party2")
_TITLE_SUFFIX = re.compile(r"\s+relations?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Party:
    """A party of the relation: its name in the article and the entity it is."""

    name: str
    iri: str
    created: bool
    """True when no shared entity has the name: the folder describes it, marked as needing a link."""


@dataclass(frozen=True)
class Scaffold:
    """What ``afkg new`` writes: the files of ``data/<pair>/`` by name, and what they say."""

    pair: str
    folder: Path
    files: dict[str, bytes]
    sections: int
    parties: tuple[Party, Party]
    relation: str


def _check_pair(pair: str) -> None:
    if len(pair) > MAX_PAIR_NAME or not PAIR_NAME.fullmatch(pair) or pair in RESERVED_FOLDERS:
        raise UsageError(f"bad relation name {pair!r}: write lower-case words joined by hyphens, such as x-y "
                         f"(at most {MAX_PAIR_NAME} characters)")


def _check_title(title: str) -> str:
    clean = " ".join(title.split())
    if not clean or len(clean) > MAX_TITLE or any(unicodedata.category(c) == "Cc" for c in title if c not in "\t"):
        raise UsageError(f"bad --title {title[:60]!r}: one line of at most {MAX_TITLE} characters")
    return clean


def default_url(title: str) -> str:
    """The English Wikipedia address of an article title."""
    return "https://en.wikipedia.org/wiki/" + quote(title.replace(" ", "_"), safe="_(),'!*:@")


def _check_url(url: str) -> str:
    parts = urlsplit(url) if len(url) <= MAX_URL else None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.netloc
            or any(c.isspace() or ord(c) < 0x20 or c in '<>"{}|\\^`' for c in url)):
        raise UsageError(f"bad --url {url[:80]!r}: an http or https address without spaces or <>\"{{}}|\\^` "
                         f"(at most {MAX_URL} characters)")
    return url


def _check_date(created: str | None) -> str:
    if created is None:
        return datetime.date.today().isoformat()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", created):
            return datetime.date.fromisoformat(created).isoformat()
    except ValueError:
        pass
    raise UsageError(f"bad --created {created!r}: a date YYYY-MM-DD")


def read_source(path: Path) -> tuple[bytes, str]:
    """The article's bytes and text: a regular file of at most :data:`MAX_SOURCE_BYTES`, UTF-8, with
    at least one ``== Heading ==`` line; anything else is an InputError naming the file."""
    name = str(path)
    data = read_bytes(path, MAX_SOURCE_BYTES, name)
    text = decode_utf8(data, name)
    if not headings(text):
        raise InputError(f"{name}: no heading in the text (a line such as '== History ==')")
    return data, text


# --- parties ---------------------------------------------------------------------------------------

def _infobox_fields(parts: list[Section]) -> list[tuple[str, str, Span, int]]:
    """The infobox's ``Key: value`` items: key, value, the item and its number in the infobox."""
    found = []
    for section in parts:
        if section.path != (INFOBOX,):
            continue
        for number, item in enumerate(section_sentences(section), 1):
            match = _INFOBOX_FIELD.fullmatch(item.text)
            if match:
                found.append((match.group("key"), match.group("value").strip(), item, number))
    return found


def party_names(title: str, fields: list[tuple[str, str, Span, int]]) -> tuple[str, str]:
    """The two parties: the infobox's Party1 and Party2, else the two names of ``X–Y relations``."""
    given = {key: value for key, value, _item, _number in fields}
    if given.get("Party1") and given.get("Party2"):
        return given["Party1"], given["Party2"]
    bare = _TITLE_SUFFIX.sub("", title)
    for dash in ("–", "—", "-"):
        names = [n.strip() for n in bare.split(dash)]
        if len(names) == 2 and all(names):
            return names[0], names[1]
    raise UsageError(f"cannot tell the two parties from the title {title!r}: write it as 'X–Y relations', "
                     "or give 'Party1:' and 'Party2:' lines in the text's Infobox")


def _normal(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def shared_countries(layout: Layout) -> dict[str, list[tuple[int, str]]]:
    """The shared entities that are countries (afkg:Country or a subclass), by normalised label:
    (0 for an rdfs:label, 1 for a skos:altLabel; the IRI)."""
    ontology = parse_turtle(layout.ontology_file, shown_as=layout.display(layout.ontology_file))
    classes: set[Node] = {AFKG.Country}
    todo: list[Node] = [AFKG.Country]
    while todo:
        for sub in ontology.subjects(RDFS.subClassOf, todo.pop()):
            if sub not in classes:
                classes.add(sub)
                todo.append(sub)
    shared = Graph()
    if is_folder(layout.shared_dir):
        for path in layout.turtle_files(layout.shared_dir):
            parse_turtle(path, shared, shown_as=layout.display(path))
    found: dict[str, list[tuple[int, str]]] = {}
    for cls in classes:
        for entity in set(shared.subjects(RDF.type, cls)):
            for rank, predicate in ((0, RDFS.label), (1, SKOS.altLabel)):
                for label in shared.objects(entity, predicate):
                    found.setdefault(_normal(str(label)), []).append((rank, str(entity)))
    return {key: sorted(set(value)) for key, value in found.items()}


def resolve(name: str, pair: str, countries: dict[str, list[tuple[int, str]]]) -> Party:
    """The shared country called ``name`` (a label before an alternative label, then the least IRI),
    else a new entity of the folder."""
    matches = countries.get(_normal(name))
    if matches:
        return Party(name, matches[0][1], False)
    return Party(name, relation_namespace(pair) + local_name(name), True)


# --- the files --------------------------------------------------------------------------------------

def _section_names(parts: list[Section]) -> dict[tuple[str, ...], str]:
    """A distinct local name for every section: its heading's slug, then -2, -3… for a repeated one."""
    names: dict[tuple[str, ...], str] = {}
    taken: set[str] = set()
    for section in parts:
        base = slug(section.label)
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}-{number}"
        taken.add(name)
        names[section.path] = name
    return names


def _relation_passages(parts: list[Section], fields: list[tuple[str, str, Span, int]],
                       parties: tuple[str, str], names: dict[tuple[str, ...], str],
                       source: str) -> list[tuple[str, str, str]]:
    """The passages the relation is derived from: (local name, section local name, quote)."""
    chosen = [(f"{names[(INFOBOX,)]}-{number}", names[(INFOBOX,)], item.text)
              for key, _value, item, number in fields if key in _RELATION_FIELDS]
    if chosen:
        return chosen
    candidates = [(section, number, span) for section in parts if section.path != (INFOBOX,)
                  for number, span in enumerate(section_sentences(section), 1)]
    if not candidates:
        raise InputError(f"{source}: no sentence in the text for the relation to be derived from")

    def named(span: Span) -> int:
        return sum(1 for party in parties if party.casefold() in span.text.casefold())

    best = max(named(span) for _section, _number, span in candidates)
    section, number, span = next(c for c in candidates if named(c[2]) == best)
    return [(f"{names[section.path]}-{number}", names[section.path], span.text)]


_PREFIXES = """\
@prefix afkg:    <https://w3id.org/afkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rel:     <{relation}> .
@prefix res:     <{resource}> .
@prefix src:     <{source}> .
@prefix void:    <http://rdfs.org/ns/void#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""


def _prefixes(pair: str) -> str:
    return _PREFIXES.format(relation=relation_namespace(pair), resource=RESOURCE, source=source_namespace(pair))


def _term(iri: str, pair: str) -> str:
    """An IRI as a prefixed name where one of the written prefixes fits, else in angle brackets."""
    for prefix, namespace in (("src", source_namespace(pair)), ("rel", relation_namespace(pair))):
        rest = iri[len(namespace):]
        if iri.startswith(namespace) and rest and "/" not in rest and local_name(rest) == rest:
            return f"{prefix}:{rest}"
    return f"<{iri}>"


def source_turtle(pair: str, title: str, url: str, created: str, parts: list[Section],
                  names: dict[tuple[str, ...], str]) -> str:
    """``source.ttl``: the document, the dataset description and the sections."""
    host = (urlsplit(url).hostname or "").lower()
    publisher = host == "wikipedia.org" or host.endswith(".wikipedia.org")
    document = f"<{document_iri(pair)}>"
    lines = [_prefixes(pair), f"# The source article \"{title}\" and its sections.", "",
             f"{document} a afkg:SourceDocument ;",
             f"    rdfs:label {turtle_string(title)}@{LANGUAGE} ;",
             f"    dcterms:title {turtle_string(title)}@{LANGUAGE} ;"]
    if publisher:
        lines.append(f"    dcterms:publisher \"Wikipedia, the free encyclopedia\"@{LANGUAGE} ;")
    lines += [f"    dcterms:source <{url}> ;",
              f"    dcterms:license <{LICENCE}> ;",
              f"    dcterms:language \"{LANGUAGE}\" ;",
              "    afkg:localFile \"source.txt\" .", "",
              "# The data drawn from it, as a subset of the whole dataset.", "",
              f"<{RESOURCE}dataset/{pair}> a void:Dataset ;",
              f"    dcterms:title {turtle_string(title)}@{LANGUAGE} ;",
              f"    dcterms:created \"{created}\"^^xsd:date ;",
              f"    dcterms:source {document} ;",
              "    void:exampleResource rel:relation .", ""]
    for order, section in enumerate(parts, 1):
        lines.append(f"src:{names[section.path]} a afkg:ArticleSection ;")
        lines.append(f"    rdfs:label {turtle_string(section.label)}@{LANGUAGE} ; afkg:sectionOrder {order} ;")
        if section.parent is not None:
            lines.append(f"    afkg:parentSection src:{names[section.parent]} ;")
        lines.append(f"    afkg:ofDocument {document} .")
        lines.append("")
    return "\n".join(lines)


def relation_turtle(pair: str, title: str, parties: tuple[Party, Party],
                    passages: list[tuple[str, str, str]]) -> str:
    """``relation.ttl``: the passages the relation comes from, the relation, and any party created."""
    lines = [_prefixes(pair), "# The relation between the two parties, and the passages it comes from.", ""]
    for name, section, quote_text in passages:
        lines.append(f"src:{name} a afkg:Passage ; afkg:inSection src:{section} ;")
        lines.append(f"    afkg:quote {turtle_string(quote_text)} .")
    lines += ["", "rel:relation a afkg:BilateralRelation ;",
              f"    rdfs:label {turtle_string(title)}@{LANGUAGE} ;",
              f"    afkg:party {_term(parties[0].iri, pair)} , {_term(parties[1].iri, pair)} ;",
              f"    afkg:firstParty {_term(parties[0].iri, pair)} ;",
              "    afkg:needsWikidataLink true ;",
              "    prov:wasDerivedFrom " + " , ".join(f"src:{name}" for name, _s, _q in passages) + " ."]
    created = [p for p in parties if p.created]
    if created:
        lines += ["", "# Parties that data/shared/ does not describe (yet): find their Wikidata items."]
        for party in created:
            lines.append(f"{_term(party.iri, pair)} a afkg:Country ;"
                         f" rdfs:label {turtle_string(party.name)}@{LANGUAGE} ; afkg:needsWikidataLink true .")
    return "\n".join(lines) + "\n"


def licence_text(title: str, url: str) -> str:
    """``LICENSE.md``: the CC BY-SA 4.0 attribution of the text to the article's authors."""
    return (
        "# Source text and licence\n\n"
        f"`source.txt` is the text of the article \"{title}\" ({url}),\n"
        "as plain text with its infobox flattened to a list, kept byte for byte.\n"
        "The text is licensed under the Creative Commons Attribution-ShareAlike 4.0\n"
        f"International licence (CC BY-SA 4.0, {LICENCE});\n"
        "its authors are the contributors to that article.\n\n"
        "The RDF files in this folder are derived from that text and are shared under the\n"
        "same licence. Every fact they state cites the passage of `source.txt` it comes from.\n"
    )


def plan(layout: Layout, pair: str, source: Path, title: str, url: str | None = None,
         created: str | None = None) -> Scaffold:
    """Everything ``afkg new`` would write, checked, without writing anything."""
    _check_pair(pair)
    title = _check_title(title)
    url = _check_url(url if url is not None else default_url(title))
    created = _check_date(created)
    if not is_folder(layout.data_dir):
        raise InputError(f"{layout.display(layout.data_dir)}: no data folder in this project")
    folder = layout.data_dir / pair
    if os.path.lexists(folder):
        raise UsageError(f"{layout.display(folder)}: already exists; nothing written")
    data, text = read_source(source)
    parts = outline(text)
    names = _section_names(parts)
    fields = _infobox_fields(parts)
    countries = shared_countries(layout)
    first, second = party_names(title, fields)
    for name in (first, second):
        if len(name) > MAX_PARTY:
            raise UsageError(f"the party name {name[:40]!r}… is longer than {MAX_PARTY} characters")
    parties = (resolve(first, pair, countries), resolve(second, pair, countries))
    if parties[0].iri == parties[1].iri:
        raise UsageError(f"the two parties {first!r} and {second!r} are the same entity <{parties[0].iri}>")
    passages = _relation_passages(parts, fields, (first, second), names, str(source))
    files = {
        "source.txt": data,
        "LICENSE.md": licence_text(title, url).encode("utf-8"),
        "source.ttl": source_turtle(pair, title, url, created, parts, names).encode("utf-8"),
        "relation.ttl": relation_turtle(pair, title, parties, passages).encode("utf-8"),
    }
    return Scaffold(pair, folder, files, len(parts), parties, relation_namespace(pair) + "relation")


def write(scaffold: Scaffold, layout: Layout) -> None:
    """Write the folder whole: into a temporary folder beside it, then renamed into place; on any
    failure nothing is left behind."""
    try:
        temporary = Path(tempfile.mkdtemp(prefix=f".{scaffold.pair}.", suffix=".tmp", dir=layout.data_dir))
    except OSError as exc:
        raise InputError(f"{layout.display(layout.data_dir)}: cannot write ({exc.strerror or exc})") from None

    def place(folder: Path) -> None:
        if os.path.lexists(scaffold.folder):
            raise UsageError(f"{layout.display(scaffold.folder)}: already exists; nothing written")
        os.rename(folder, scaffold.folder)

    try:
        write_folder(temporary, lambda folder: write_files(folder, dict(sorted(scaffold.files.items()))), place)
    except OSError as exc:
        raise InputError(f"{layout.display(scaffold.folder)}: cannot write ({exc.strerror or exc}); "
                         "nothing written") from None


def new_relation(layout: Layout, pair: str, source: Path, title: str, url: str | None = None,
                 created: str | None = None) -> Scaffold:
    """Check, then write ``data/<pair>/`` (see the module docstring); returns what was written."""
    scaffold = plan(layout, pair, source, title, url, created)
    write(scaffold, layout)
    return scaffold
