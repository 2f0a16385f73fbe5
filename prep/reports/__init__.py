"""Reports: what checking found, and every way of showing it.

- `report`: `FileReport` and `Report` (issues, counts, statistics; no printing);
- `stats`: exact token distributions and the training estimate;
- `baseline`: known issues that later checks do not report again;
- `codes`: counts per issue code (``--statistics``, the JSON ``codes`` table);
- `prices`: the estimate's training price in words ("unknown" when no price is stated);
- `reporters` (text, json, github), `sarif`, `markdown` (and the GitHub job summary) and
  `html` (with `html_parts` and `charts`, its inline SVG histograms): a `Report` in, text out;
- `escape`: what comes from data or file names, made safe to print.

Reporters only format: they never check or decide. A new output format is a
function registered in `reporters.REPORTERS`.
"""
