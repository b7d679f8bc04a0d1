"""Messages the server sends about a query it will not run: a syntax error said as what was
found where, and a SERVICE refusal that says how to allow the endpoint.

A parser's own account of a syntax error ("expected one of LATERAL, SERVICE, [_]") names
what its grammar would have taken next, which rarely helps the person who wrote the
query. Here the position it reports is turned into the token found there (or the end of
the query), with its line and column, in a plain sentence.
"""

from __future__ import annotations

from afkg.errors import SparqlSyntaxError
from afkg.prefixes import PREFIXES
from afkg.query.guard import expand_escapes, tokens

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
_SHOWN = 40
"""Characters of a token shown in a message."""


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    return min(len(text), start + max(column, 1) - 1)


def _shown(token: str) -> str:
    token = " ".join(token.split())
    return repr(token if len(token) <= _SHOWN else token[:_SHOWN] + "…")


def plain_syntax_error(text: str, error: SparqlSyntaxError) -> str:
    """The message of ``error`` (found in the query ``text``) as what was found where; the
    parser's message when its position cannot be placed in ``text``."""
    if not error.column:
        return str(error)
    try:
        text = expand_escapes(text)
    except Exception:  # the position is then only close: still better than nothing
        pass
    reason = error.reason
    offset = _offset(text, error.line, error.column)
    toks = [t for t in tokens(text) if t.kind != "comment"]
    if not toks:
        return "query:1:1: SPARQL syntax error: the query is empty"

    def say(start: int, sentence: str) -> str:
        line, column = _line_column(text, start)
        where = f"line {line}, column {column}"
        return f"query:{line}:{column}: SPARQL syntax error: " + sentence.replace("{where}", where)

    # The query form: PREFIX and BASE declarations, then SELECT, CONSTRUCT, DESCRIBE or ASK.
    i = 0
    while i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("PREFIX", "BASE"):
        i += 3 if toks[i].text.upper() == "PREFIX" else 2
    if i < len(toks) and not (toks[i].kind == "word" and toks[i].text.upper() in QUERY_FORMS) \
            and toks[i].start <= offset:
        return say(toks[i].start, f"found {_shown(toks[i].text)} at {{where}}, where the query should begin with "
                                  "SELECT, CONSTRUCT, DESCRIBE or ASK (after any PREFIX and BASE lines)")
    # An undeclared prefix.
    if "Prefix not found" in reason or "Unknown namespace prefix" in reason:
        declared = set(PREFIXES)
        for j, token in enumerate(toks[:-1]):
            if token.kind == "word" and token.text.upper() == "PREFIX" and toks[j + 1].text.endswith(":"):
                declared.add(toks[j + 1].text[:-1])
        for token in toks:
            if token.kind == "word" and ":" in token.text:
                prefix = token.text.split(":", 1)[0]
                if prefix not in declared and token.text.upper() != "PREFIX":
                    return say(token.start, f"the prefix '{prefix}:' of {_shown(token.text)} at {{where}} is not "
                                            f"declared; add PREFIX {prefix}: <…> before the query")
    # An IRI with characters an IRI cannot hold.
    if "IRI" in reason:
        opening = [t for t in toks if t.kind == "other" and t.text == "<" and t.start < offset]
        if opening:
            start = opening[-1].start
            end = text.find(">", start)
            shown = text[start:end + 1] if 0 <= end - start <= 200 else text[start:start + _SHOWN]
            return say(start, f"{_shown(shown)} at {{where}} is not a valid IRI (an IRI holds no spaces and none "
                              "of <>\"{}|^`\\)")
    # A string that is never closed.
    quotes = [t for t in toks if t.kind == "other" and t.text in ("'", '"')]
    if quotes and quotes[0].start < offset:
        return say(quotes[0].start, "the string that starts at {where} is not closed")
    # Brackets that do not pair up, or are left open at the end of the query.
    end = len(text.rstrip())
    closing = {"{": "}", "(": ")", "[": "]"}
    stack = []
    for token in toks:
        if token.kind == "open":
            stack.append(token)
        elif token.kind == "close":
            if not stack:
                return say(token.start, f"found {_shown(token.text)} at {{where}}, which closes nothing")
            opened = stack.pop()
            if closing[opened.text] != token.text:
                line, column = _line_column(text, opened.start)
                return say(token.start, f"found {_shown(token.text)} at {{where}}, but the '{opened.text}' at line "
                                        f"{line}, column {column} is not closed yet by a '{closing[opened.text]}'")
    if stack and offset >= end:
        opened = stack[-1]
        line, column = _line_column(text, opened.start)
        return say(end, f"the query ends at {{where}} before it is complete: the '{opened.text}' at line "
                        f"{line}, column {column} is never closed by a '{closing[opened.text]}'")
    # Otherwise: the token the parser stopped at. pyparsing ("Expected …") places the error where
    # the token starts; oxigraph ("expected …") just after what it could not read.
    at_start = reason.startswith("Expected")
    found = None
    for token in toks:
        if token.start < offset or (at_start and token.start == offset):
            found = token
        else:
            break
    if found is None or (at_start and found.end <= offset and offset >= end):
        last = toks[-1]
        return say(end, f"the query ends at {{where}} before it is complete (after {_shown(last.text)})")
    if offset >= end and found is toks[-1] and found.kind not in ("close",):
        return say(end, f"the query ends at {{where}} before it is complete (after {_shown(found.text)})")
    return say(found.start, f"found {_shown(found.text)} at {{where}}, which cannot come there")


def service_refusal(endpoint: str, allowed: set[str] | frozenset[str] | tuple[str, ...]) -> str:
    """Why ``SERVICE <endpoint>`` is refused, and how to allow it."""
    if not allowed:
        return (f"SERVICE <{endpoint}> is not allowed: this server calls no other SPARQL endpoint unless it is "
                f"started with 'afkg serve --allow-service {endpoint}'; nothing was sent")
    return (f"SERVICE <{endpoint}> is not allowed (this server may call only {', '.join(sorted(allowed))}; "
            f"start it with 'afkg serve --allow-service {endpoint}' to add this one); nothing was sent")
