"""Write a project folder with N synthetic bilateral relations, for scale benchmarks.

    python benchmarks/generate.py N OUT

OUT gets ``ontology/`` and ``queries/`` copied from the project, ``data/wikidata/``
copied as it is, and N folders ``data/<x>-<y>/``, each a copy of the template pair
``data/albania-france/`` and of the shared entities it mentions (``data/shared/*.ttl``,
written as ``shared-*.ttl`` in each folder) with every resource and passage renamed:

- the two countries get made-up names (in copy 1 ``Albania`` and ``Albanian``
  become ``Kakaria`` and ``Kakarian``, ``France`` and ``French`` become ``Lokaria``
  and ``Lokarian``) in every label, quote and the pair's own
  ``source.txt``, so each quote still occurs verbatim in its source text;
- every IRI under ``https://w3id.org/afkg/resource/`` is renamed the same way, and
  one that names neither country gets the pair's number as a suffix, so no two
  pairs share a resource;
- Wikidata links (``owl:sameAs``, ``skos:closeMatch`` to Wikidata items) are
  dropped, since a made-up country is not the real one, and the entity is marked
  ``afkg:needsWikidataLink true`` instead;
- any other outside IRI that names a template country (the Commons locator map
  ``File:Albania_France_Locator.svg``) is dropped for the same reason.

Numbers, dates and the ontology's terms are left as they are, so every copy
conforms to the shapes when the template does. The same N always gives the same
bytes. OUT must not exist or be empty.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "albania-france"
RESOURCE = "https://w3id.org/afkg/resource/"
SOURCE = RESOURCE + "source/"
DATASET = RESOURCE + "dataset/"
WIKIDATA = "http://www.wikidata.org/entity/"
LINKS = {"http://www.w3.org/2002/07/owl#sameAs", "http://www.w3.org/2004/02/skos/core#closeMatch",
         "http://www.w3.org/2004/02/skos/core#exactMatch"}
NEEDS_LINK = ox.NamedNode("https://w3id.org/afkg/ontology#needsWikidataLink")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
DCTERMS_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")

_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "di", "ga", "pe", "zu")


def country_name(number: int) -> str:
    """A made-up country name ending in ``ria``, different for every ``number`` >= 0
    (its syllables spell ``number`` in base 12, at least two of them)."""
    syllables = []
    while number or len(syllables) < 2:
        syllables.append(_SYLLABLES[number % len(_SYLLABLES)])
        number //= len(_SYLLABLES)
    return ("".join(syllables) + "ria").capitalize()


class Renaming:
    """The names of pair ``index`` (from 1) and how text and IRIs of the template map to them."""

    def __init__(self, index: int, first: str = "Albania", second: str = "France", second_adjective: str = "French"):
        self.index = index
        self.first = country_name(2 * index - 2)
        self.second = country_name(2 * index - 1)
        self.slug = f"{self.first.lower()}-{self.second.lower()}"
        # the adjective and demonym of the first country ("Albanian") follow from its name by suffix
        self.text_pairs = [(second_adjective, self.second + "n"), (second, self.second), (first, self.first)]
        self.iri_pairs = [(old.lower(), new.lower()) for old, new in self.text_pairs] + self.text_pairs
        self.template_slug = f"{first.lower()}-{second.lower()}"

    def names_template_country(self, value: str) -> bool:
        """Whether ``value`` is an IRI outside the resource namespace that names a template country."""
        if value.startswith(RESOURCE):
            return False
        lowered = value.lower()
        return any(old in lowered for old, _ in self.iri_pairs[:len(self.text_pairs)])

    def text(self, value: str) -> str:
        for old, new in self.text_pairs:
            value = value.replace(old, new)
        return value

    def iri(self, value: str) -> str:
        """The pair's IRI for a template IRI (only IRIs of the resource namespace change)."""
        if not value.startswith(RESOURCE):
            return value
        for base in (SOURCE, DATASET):
            if value == base + self.template_slug or value.startswith(base + self.template_slug + "/"):
                return base + self.slug + value[len(base + self.template_slug):]
        local = value[len(RESOURCE):]
        renamed = local
        for old, new in self.iri_pairs:
            renamed = renamed.replace(old, new)
        if renamed == local:
            renamed = f"{local}_{self.index:04d}"
        return RESOURCE + renamed


def _term(term: ox.NamedNode | ox.Literal | ox.BlankNode, renaming: Renaming):
    if isinstance(term, ox.NamedNode):
        return ox.NamedNode(renaming.iri(term.value))
    if isinstance(term, ox.Literal) and term.datatype.value in (XSD_STRING, RDF_LANG_STRING):
        if term.language:
            return ox.Literal(renaming.text(term.value), language=term.language)
        return ox.Literal(renaming.text(term.value))
    return term


def rename_triples(triples: list[ox.Triple], renaming: Renaming, source_url: str) -> list[ox.Triple]:
    """The template's triples with every resource, label and quote renamed for one pair."""
    out: set[ox.Triple] = set()
    for triple in triples:
        if triple.predicate.value in LINKS and isinstance(triple.object, ox.NamedNode) \
                and triple.object.value.startswith(WIKIDATA):
            out.add(ox.Triple(_term(triple.subject, renaming), NEEDS_LINK, ox.Literal(True)))
            continue
        if triple.predicate == DCTERMS_SOURCE and isinstance(triple.object, ox.NamedNode) \
                and not triple.object.value.startswith(RESOURCE):
            out.add(ox.Triple(_term(triple.subject, renaming), DCTERMS_SOURCE, ox.NamedNode(source_url)))
            continue
        if isinstance(triple.object, ox.NamedNode) and renaming.names_template_country(triple.object.value):
            continue
        out.add(ox.Triple(*(_term(t, renaming) for t in (triple.subject, triple.predicate, triple.object))))
    return sorted(out, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def turtle(triples: list[ox.Triple], prefixes: dict[str, str], comment: str) -> bytes:
    """Turtle with a comment line and the used prefixes in sorted order (pyoxigraph writes the body)."""
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes).decode("utf-8")
    lines = body.splitlines(keepends=True)
    declared = [line for line in lines if line.startswith("@prefix ")]
    rest = [line for line in lines if not line.startswith("@prefix ")]
    used = sorted(p for p, ns in prefixes.items() if any(line.startswith(f"@prefix {p}: ") for line in declared))
    head = f"# {comment} (benchmarks/generate.py).\n" + "".join(f"@prefix {p}: <{prefixes[p]}> .\n" for p in used)
    return (head + "".join(rest)).encode("utf-8")


def _prefixes() -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "src"))
    from afkg.prefixes import PREFIXES

    return dict(sorted(PREFIXES.items()))


def generate(count: int, out: Path) -> list[Path]:
    """Write the project folder ``out`` with ``count`` synthetic pairs; return the pair folders."""
    template_dir = ROOT / "data" / TEMPLATE
    prefixes = _prefixes()
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, out / name)
    (out / "data").mkdir(parents=True)
    if (ROOT / "data" / "wikidata").is_dir():
        shutil.copytree(ROOT / "data" / "wikidata", out / "data" / "wikidata")
    files = {path.name: list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
             for path in sorted(template_dir.glob("*.ttl"))}
    # the shared entities the template refers to come along, renamed like the rest: each copy
    # describes its own made-up states, places and people, so it needs no data/shared/ folder
    files.update({f"shared-{path.name}": list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
                  for path in sorted((ROOT / "data" / "shared").glob("*.ttl"))})
    source_text = (template_dir / "source.txt").read_text(encoding="utf-8")
    extras = [p for p in sorted(template_dir.iterdir()) if p.is_file() and p.suffix not in (".ttl", ".txt")]
    folders = []
    for index in range(1, count + 1):
        renaming = Renaming(index)
        folder = out / "data" / renaming.slug
        folder.mkdir()
        source_url = f"https://example.org/afkg-synthetic/{renaming.slug}"
        for name, triples in files.items():
            renamed = rename_triples([ox.Triple(q.subject, q.predicate, q.object) for q in triples],
                                     renaming, source_url)
            (folder / name).write_bytes(turtle(renamed, {**prefixes, "src": f"{SOURCE}{renaming.slug}/"},
                                               f"Synthetic copy {index} of data/{TEMPLATE}/{name}"))
        (folder / "source.txt").write_text(renaming.text(source_text), encoding="utf-8")
        for extra in extras:
            shutil.copyfile(extra, folder / extra.name)
        folders.append(folder)
    return folders


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of synthetic pairs (N >= 1)")
    parser.add_argument("out", type=Path, help="the project folder to write (must not exist or be empty)")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("N must be at least 1")
    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        parser.error(f"{args.out} exists and is not empty")
    folders = generate(args.count, args.out)
    print(f"Wrote {len(folders)} pairs into {args.out / 'data'}")


if __name__ == "__main__":
    main()
