"""Reading: bytes in, values or rows with their positions out.

- `jsonl`: the streaming JSONL reader (one parsed value, or the problem of its
  line, per physical line; exact line numbers; bounded memory);
- `files`: each file's type (extensions, sniffing) and the reader of each type;
- `kinds`: which files a folder walk takes, and JSON that configures a tool
  rather than holding data;
- `table`: what table readers produce (`Table`, `Row`, cells, `Note`s) and the
  options of reading one;
- `delimited` (CSV, TSV), `json_array` (JSON), `lines` (JSONL as rows), `xlsx`
  (with `xlsx_stream`, the bounded streaming access to a workbook), `text`
  (encodings): one reader per file type;
- `detect`: which data format an example, and a file, is in (a vote by keys);
- `sources`: where bytes come from: a local path or a URL (fsspec), ``.gz``
  and ``.zst`` decompressed as they stream, names shown without credentials;
- `arrow`: Parquet files and Hugging Face datasets as rows (row N is line N).

Nothing here checks rules or builds records; a new file type is a new reader
module registered in `files.READERS`.
"""
