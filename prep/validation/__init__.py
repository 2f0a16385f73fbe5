"""Validation: values in, issues and measurements out.

- `rules/`: the per-example rules, one small pure function per rule, for each
  data format (`rules.CHECKS`), and the secret scan (`rules.secrets`); a new
  rule goes here;
- `dataset`: rules about a file as a whole (counts, duplicates, size, model,
  train/validation leakage);
- `tokens` and `images`: exact token counting of examples; `encoders`: an
  encoding's name in, an `Encoder` (``count(text) -> int``) out, the one seam
  for another tokenizer (rank files shipped in `rank_files/`); `panics`: a
  tokenizer that crashes is counted around, any other crash is one error;
- `rendering/`: exact counts for open models (a model's chat template and own
  tokenizer, mistral-common, harmony); `exact`: the scan that counts with one
  and reports what the limit cuts (`truncation`); `counters`: the counters a
  check shares;
- `scan`: one run of lines through the rules and the counter, mergeable in file
  order; `group`: one run for several targets; `parallel`: a file's byte ranges
  scanned on every core; `distributed`: every file's byte ranges (or row
  groups) as tasks on a Dask cluster, merged in file order; `progress`: how far
  a scan has got, to the ``prep.progress`` logger (the command line draws it on
  a terminal);
- `checker`: one source (a JSONL file, a pair, records) in, a `FileReport` out;
- `options`: `CheckOptions`, everything that changes what a check reports.
"""
