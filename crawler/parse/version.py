"""PARSER_VERSION: the stamp `nianbao normalize` stores with every derived report, to know what to re-parse.

Bump it (by one) in the same commit as any change that can change what is derived from an unchanged
capture: the parser's output (text, sections, cells, checks, metadata, status, errors, warnings) or the way
crawler/normalize.py turns it into rows (content hash, versions, which form of a report is kept). The next
`nianbao normalize` then re-parses every capture whose stamp is older, exactly as `nianbao normalize --full`
would. Refactors that provably change no output (speed-ups checked against the golden cases) need no bump.
"""

PARSER_VERSION = 11
