"""Authoring a relation folder: scaffolding it from an article's text (:mod:`.scaffold`), quoting
passages (:mod:`.quote`) and measuring how much of the text the facts cite (:mod:`.coverage`)."""
