"""Reports: what checking found, and every way of showing it.

- `report`: `FileReport` and `Report` (issues, counts, statistics; no printing);
- `stats`: exact token distributions and the training estimate;
- `baseline`: known issues that later checks do not report again;
- `reporters` (text, json, github) and `sarif`: a `Report` in, text out;
- `escape`: what comes from data or file names, made safe to print.

Reporters only format: they never check or decide. A new output format is a
function registered in `reporters.REPORTERS`.
"""
