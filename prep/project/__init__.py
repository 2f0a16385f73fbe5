"""Project: checking as a repository does, with its configuration and baselines.

- `checking`: `prep.check`, any source (paths, a DataFrame, records) in, one
  `Report` out;
- `config`: ``prep.toml`` / ``[tool.prep]`` found per file, with overrides
  (`globs`: their path patterns);
- `runner`: `prep.check_project`, what ``prep check`` runs: each file with its
  configuration, then its baseline.
"""
