"""Hostile inputs against every surface of the ``afkg`` command line.

Each case runs ``afkg`` in a subprocess on a throw-away copy of a project, with a
wall-clock bound, a memory cap, closed standard input and a controlled
environment, next to two local HTTP servers: an allowed one whose answers the
case scripts, and a trap that must never be reached.
"""
