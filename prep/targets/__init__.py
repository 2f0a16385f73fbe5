"""Targets: a provider's rules as data.

- `profile`: `Target` and its parts, loaded from a TOML profile
  (`load_target`); the data formats (`DataFormat`) and training methods
  (`Method`);
- `profiles/*.toml`: the built-in profiles, one file per provider, each fact
  with its source; a new target is a new file here, not code;
- `budget`: which tokenizer counts, against which per-example limit.

Checks read these facts; they never test a provider's name.
"""
