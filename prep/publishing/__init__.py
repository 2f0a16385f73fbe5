"""Publishing: a checked file in, a split, an upload, W&B artifacts and a fine-tuning job out.

- `splitter`: `prep.split`, a deterministic train/validation split (`partition`);
- `publisher`: `prep.publish`; `steps`: its step machine, one module per step:
  `uploads` (each file once, exactly as checked), `artifacts` (W&B, and the
  ledger true about it), `jobstep` (the job exactly once, following it);
  `session`: what the steps share (errors as sentences, progress, sending a
  creating request never blindly twice); `types`: what they exchange;
- `ledger`: what was already done, so nothing is done twice; `lock`: one
  publish at a time per ledger;
- `service` (the provider's API), `jobs` (job parameters), `wandb_log` (W&B
  runs and artifacts), `wandb_tables` (their Tables, in one streaming pass),
  `wandb_runfile` (reading an offline run's file back).
"""
