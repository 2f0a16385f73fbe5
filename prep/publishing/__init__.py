"""Publishing: a checked file in, a split, an upload, W&B artifacts and a fine-tuning job out.

- `splitter`: `prep.split`, a deterministic train/validation split;
- `publisher`: `prep.publish`; `steps`: its step machine (upload, artifacts,
  job, follow); `types`: what they exchange;
- `ledger`: what was already done, so nothing is done twice;
- `service` (the provider's API), `jobs` (job parameters), `wandb_log` (W&B).
"""
