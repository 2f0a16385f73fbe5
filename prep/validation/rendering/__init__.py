"""Exact token counts for open models: an example in, the tokens its trainer sees and which of them are trained.

A Hugging Face trainer (and Together, Fireworks, Azure's open models) renders a
conversation with the model's chat template and tokenizes the text with the
model's own tokenizer; what is past the maximum sequence length is cut. This
package counts the same way, without transformers:

- `source`: a tokenizer named in a profile or on the command line
  (``hf:ORG/NAME``, a folder, ``mistral:NAME``, ``harmony``) resolved to local
  files (the Hugging Face cache, mistral-common's wheel, prep's rank files),
  and loaded into an `ExampleCounter` (`counter`);
- `conversation`: OpenAI fine-tuning messages into the messages chat templates take;
- `jinja` and `hf`: a model folder (``tokenizer.json``, ``tokenizer_config.json``,
  ``chat_template.jinja``) rendered as transformers' ``apply_chat_template``
  renders it, and tokenized with `tokenizers`; `spans`: where each assistant
  turn lies in the tokens; `hub`: the local Hugging Face cache;
- `mistral` (mistral-common's tokenizers) and `harmony` (gpt-oss' harmony format);
- `counts`: what a count is (`Counts`, its trained `TokenSpan`s) and what a
  maximum sequence length cuts (`Cut`).

Every heavy library (tokenizers, jinja2, mistral-common, openai-harmony) is an
extra, imported only when a check names such a tokenizer.
"""
