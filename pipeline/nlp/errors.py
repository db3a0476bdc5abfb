"""Stable codes for the NLP's errors and warnings, in one catalog (spaCy's ``Errors``/``Warnings`` habit).

Logs and tests grep for the code (``E101``), never for the wording.
"""

from __future__ import annotations


class Warnings:
    """Warning messages; format them with ``str.format``."""

    W101 = "[W101] Skipped line {line} of {path}: {reason}"
    W102 = "[W102] Could not align a gazetteer mention with the parsed sentence at characters {start}-{end}"
    W103 = "[W103] Gold article {id} has no text; it is scored as empty"


class Errors:
    """Error messages; format them with ``str.format``."""

    E101 = "[E101] The NLP asset directory {path} does not exist or lacks {missing}"
    E102 = "[E102] Bad row {line} in {path}: {reason}"
    E103 = "[E103] Could not load the spaCy pipeline {model!r}: {reason}"
    E104 = "[E104] The component {name!r} was used before initialize() loaded its assets"
    E105 = "[E105] The gold file {path} is not a list of articles as described in eval/SCHEMA.md: {reason}"
    E106 = "[E106] The gold file {path} changed (sha256 {actual}, baseline pins {expected}); re-pin the baseline"
    E107 = "[E107] No trained event model in {path}; build it with 'pactwatch train' (see models/README.md)"
    E108 = ("[E108] The event model in {path} is {found}, this pactwatch reads {expected}; rebuild it with"
            " 'pactwatch train'")
    E109 = "[E109] The event model in {path} cannot be read: {reason}; rebuild it with 'pactwatch train'"
    E110 = "[E110] No training data: {reason}"
    E111 = "[E111] The eval report {path} cannot be compared with this scoring: {reason}"
