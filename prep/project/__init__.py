"""Project: checking as a repository does, with its configuration and baselines.

- `runner`: `prep.check` and `prep.check_project`, what ``prep check`` runs:
  folders expanded, each file with its configuration, then its baseline;
- `walk`: which files a run checks (folders walked, .gitignore with
  `gitignore`, ``exclude``, configuration JSON and tool folders left out);
- `checking`: files with one set of options (a file that cannot be read or
  mapped is one issue about it), a DataFrame, a `datasets.Dataset` or records;
  `cluster`: the JSONL and Parquet files of a check on a Dask cluster;
- `config`: ``prep.toml`` / ``[tool.prep]`` found per file, with overrides
  (`settings`: its keys; `globs`: their path patterns).
"""
