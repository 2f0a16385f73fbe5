"""Conversion: rows in, records out (and records into other records).

- `mapping`: which column fills which field of a record;
- `examples`: one row into one record, with the column behind each part;
- `tables`: any table (a file, a DataFrame, rows) as examples, checked with the
  same scan as JSONL (`prep.project.checking.check_file` imports it for tables
  and prompt/completion data only); `row_groups`: a
  Parquet file's row groups as tasks on a Dask cluster;
- `legacy` (OpenAI's retired ``prepare_data`` advice) and `upgrade`
  (prompt/completion to chat): transformations of records;
- `steps` and `converter`: `prep.convert` and `prep.load_records`;
  `options`: `ConvertOptions`.
"""
