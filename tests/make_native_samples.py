"""Write the samples of the Vertex, Nova and TRL formats in sample_data/ (run: python -m tests.make_native_samples).

The good files are the OpenAI good samples converted with ``prep.convert(..., to=...)``:
where a target recommends more examples than a sample holds (Vertex: 100), the
file adds examples made from the other samples (a chat sample as a preference
pair) or questions in the reinforcement sample's style (answered, for chat data). Examples with tool calls
stay out of the Nova sample (Nova 2 trains on none). The bad files start with
a good line; every other line holds one fault, the one tests/test_sample_data.py
names. ``tests/test_sample_data.py`` checks that the committed files hold what
this script writes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import prep
from prep.conversion.results import jsonl_bytes

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


def _read(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SAMPLES / name).read_text("utf-8-sig").splitlines() if line.strip()]


def _convert(records: list[dict[str, Any]], to: str) -> list[dict[str, Any]]:
    result = prep.convert(records, to=to, tokens=False)
    assert result.records, result.report.issues
    return result.records


def _chats_as_pairs(chats: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat examples without tool calls as preference pairs: the last reply preferred over a non-answer."""
    pairs = []
    for chat in chats:
        *history, last = chat["messages"]
        if last["role"] != "assistant" or any("tool_calls" in m or m["role"] == "tool" for m in history):
            continue
        history = [{k: v for k, v in m.items() if k != "weight"} for m in history]
        reply = {"role": "assistant", "content": last["content"]}
        other = {"role": "assistant", "content": "I cannot say; please ask someone else."}
        pairs.append({"input": {"messages": history}, "preferred_output": [reply], "non_preferred_output": [other]})
    return pairs


def _answered(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reinforcement tasks with their answer, as chat examples."""
    out = []
    for task in tasks:
        developer, user = task["messages"]
        system = {"role": "system", "content": developer["content"]}
        out.append({"messages": [system, user, {"role": "assistant", "content": task["reference_answer"]}]})
    return out


def _arithmetic(n: int) -> list[dict[str, Any]]:
    """Reinforcement examples in the reinforcement sample's style: a total price to compute."""
    system = {"role": "developer", "content": "Compute the total price in dollars. Answer with a number only."}
    items = ("headlamps", "water filters", "tent stakes", "energy bars", "wool socks", "carabiners")
    out = []
    for i in range(n):
        count, cents = 2 + i % 9, 95 + 37 * i
        question = f"I buy {count} {items[i % len(items)]} at ${cents / 100:.2f} each. What do I pay?"
        answer = f"{count * cents / 100:.2f}"
        out.append({"messages": [system, {"role": "user", "content": question}], "reference_answer": answer})
    return out


def good_samples() -> dict[str, list[dict[str, Any]]]:
    chats, pairs, tasks = _read("chat_good.jsonl"), _read("preference_good.jsonl"), _read("reinforcement_good.jsonl")
    plain = [c for c in chats if not any("tool_calls" in m for m in c["messages"])]
    return {
        "vertex_good.jsonl": _convert(chats + _answered(_arithmetic(60)), "vertex"),
        "vertex-preference_good.jsonl": _convert(pairs + _chats_as_pairs(chats), "vertex"),
        "vertex-reinforcement_good.jsonl": _convert(tasks + _arithmetic(60), "vertex"),
        "nova_good.jsonl": _convert(plain, "nova"),
        "nova-preference_good.jsonl": _convert(pairs, "nova"),
        "trl-preference_good.jsonl": _convert(pairs, "trl"),
    }


def _vertex(*turns: tuple[str, list[dict[str, Any]]], **extra: Any) -> dict[str, Any]:
    return {"contents": [{"role": r, "parts": p} for r, p in turns], **extra}


def _text(s: str) -> list[dict[str, Any]]:
    return [{"text": s}]


SKU_TOOLS = [{"functionDeclarations": [{"name": "get_sku", "description": "The SKU of a product in a colour."}]}]
PNG = {"mimeType": "image/png", "fileUri": "gs://skyline-tuning/images/boot.png"}


def vertex_bad() -> list[dict[str, Any]]:
    ask = ("user", _text("Which boots suit a wet trail?"))
    answer = ("model", _text("The Ridge GTX: waterproof and with a deep lug sole."))
    return [
        _vertex(ask, answer),
        _vertex(  # P241: args as a JSON string
            ("user", _text("SKU of the white runner?")),
            ("model", [{"functionCall": {"name": "get_sku", "args": '{"color": "white"}'}}]),
            ("user", [{"functionResponse": {"name": "get_sku", "response": {"sku": "123"}}}]),
            ("model", _text("It is 123.")),
            tools=SKU_TOOLS,
        ),
        _vertex(
            ("user", [{"text": "What is this?"}, {"fileData": {**PNG, "fileUri": "data:image/png;base64,iVBORw0K"}}]),
            answer,
        ),  # P239
        _vertex(
            ("user", [{"text": "What is this?"}, {"fileData": {**PNG, "fileUri": "gs://skyline-tuning"}}]), answer
        ),  # P243
        _vertex(("user", [{"text": "What is this?", "fileData": PNG}]), answer),  # P245
        _vertex(ask, answer, ask),  # P231
        _vertex(ask, ("model", [{"text": "This one."}, {"fileData": PNG}])),  # P217
        _vertex(ask, answer, weight=1),  # P110
        _vertex(("user", [{"inlineData": {"mimeType": "image/png", "data": "iVBORw0K"}}]), answer),  # P207
        _vertex(("user", _text("")), answer),  # P206
    ]


def vertex_preference_bad() -> list[dict[str, Any]]:
    ask = {"role": "user", "parts": _text("Can I return worn boots?")}
    yes = {"role": "model", "parts": _text("Yes, within 60 days, with the receipt.")}
    no = {"role": "model", "parts": _text("No.")}
    good = {"contents": [ask], "completions": [{"score": 1, "completion": yes}, {"score": 0, "completion": no}]}
    one = copy.deepcopy(good)
    one["completions"] = one["completions"][:1]  # P227
    both = copy.deepcopy(good)
    both["completions"][1]["score"] = 1  # P242
    ends = {**copy.deepcopy(good), "contents": [ask, yes]}  # P231
    image = {**copy.deepcopy(good), "contents": [{"role": "user", "parts": [{"fileData": PNG}]}]}  # P207
    same = copy.deepcopy(good)
    same["completions"][1]["completion"] = yes  # P230
    return [good, one, both, ends, image, same]


def vertex_reinforcement_bad() -> list[dict[str, Any]]:
    ask = {"role": "user", "parts": _text("I buy 3 packs at $1.20 each. What do I pay?")}
    good = {"contents": [ask], "references": {"reference_answer": "3.60"}}
    return [
        good,
        {**good, "references": {"reference_answer": 3.6}},  # P112
        {**good, "contents": [ask, {"role": "model", "parts": _text("3.60")}]},  # P231
        {"contents": [ask]},  # P111
    ]


def _nova(*turns: tuple[str, list[dict[str, Any]]], **extra: Any) -> dict[str, Any]:
    messages = [{"role": r, "content": c} for r, c in turns]
    return {"schemaVersion": "bedrock-conversation-2024", "messages": messages, **extra}


def _image(uri: str, fmt: str = "png") -> dict[str, Any]:
    return {"image": {"format": fmt, "source": {"s3Location": {"uri": uri}}}}


def nova_bad() -> list[dict[str, Any]]:
    ask = ("user", _text("Which boots suit a wet trail?"))
    answer = ("assistant", _text("The Ridge GTX: waterproof and with a deep lug sole."))
    look = [{"text": "What is in this picture?"}, _image("s3://skyline-tuning/images/boot.png")]
    eleven = [{"text": "Which of these fit?"}] + [_image(f"s3://skyline-tuning/images/{i}.png") for i in range(11)]
    video = {"video": {"format": "mp4", "source": {"s3Location": {"uri": "s3://skyline-tuning/clips/walk.mp4"}}}}
    return [
        _nova(ask, answer, system=_text("You are Nimbus, the support assistant.")),
        _nova(("user", _text("User: which boots suit a wet trail?")), answer),  # P248
        _nova(answer, ask, answer),  # P235
        _nova(ask, ("user", _text("Anyone?")), answer),  # P235
        _nova(ask, answer, ask),  # P231
        _nova(("user", [{"text": "And this?"}, _image("https://example.com/boot.png")]), answer),  # P239
        _nova(("user", [{"text": "And this?"}, _image("s3://skyline-tuning/images/my boot.png")]), answer),  # P243
        _nova(("user", [{"text": "And this?"}, _image("s3://skyline-tuning/images/boot.bmp", "bmp")]), answer),  # P220
        _nova(("user", eleven), answer),  # P218
        _nova(ask, ("assistant", [{"text": "This one:"}, _image("s3://skyline-tuning/images/boot.png")])),  # P217
        _nova(("user", look), answer),
        _nova(("user", [{"text": "And this?"}, _image("s3://other-bucket/boot.png")]), answer),  # P409
        _nova(("user", [{"text": "Is this trail wet?"}, video]), answer),  # P410
        _nova(ask, answer)
        | {"messages": [{"role": "user", "content": _text("Hi"), "weight": 1}, _nova(answer)["messages"][0]]},  # P110
    ]


def nova_preference_bad() -> list[dict[str, Any]]:
    ask = {"role": "user", "content": _text("Can I return worn boots?")}

    def pair(
        yes: list[dict[str, Any]], no: list[dict[str, Any]], labels: tuple[str, str] = ("preferred", "non-preferred")
    ) -> dict[str, Any]:
        candidates = [{"content": yes, "preferenceLabel": labels[0]}, {"content": no, "preferenceLabel": labels[1]}]
        return {
            "schemaVersion": "bedrock-conversation-2024",
            "messages": [ask, {"role": "assistant", "candidates": candidates}],
        }

    yes, no = _text("Yes, within 60 days, with the receipt."), _text("No.")
    one = pair(yes, no)
    one["messages"][1]["candidates"] = one["messages"][1]["candidates"][:1]  # P227
    video = {"video": {"format": "mp4", "source": {"s3Location": {"uri": "s3://skyline-tuning/clips/walk.mp4"}}}}
    with_video = pair(yes, no)
    with_video["messages"][0] = {"role": "user", "content": [{"text": "Like this walk?"}, video]}  # P244
    return [
        pair(yes, no),
        one,
        pair(yes, no, ("preferred", "preferred")),  # P242
        pair([{"text": "This one:"}, _image("s3://skyline-tuning/images/boot.png")], no),  # P217
        {
            "schemaVersion": "bedrock-conversation-2024",
            "messages": [ask, {"role": "assistant", "content": yes}],
        },  # P109
        pair(yes, yes),  # P230
        with_video,
        pair(_text("Bot: yes, within 60 days."), no),  # P248
    ]


def trl_preference_bad() -> list[dict[str, Any]]:
    prompt = [{"role": "user", "content": "Can I return worn boots?"}]
    yes = [{"role": "assistant", "content": "Yes, within 60 days, with the receipt."}]
    no = [{"role": "assistant", "content": "No."}]
    call = {"type": "function", "function": {"name": "lookup_policy", "arguments": '{"topic": "returns"}'}}
    return [
        {"prompt": prompt, "chosen": yes, "rejected": no},
        {"prompt": prompt, "chosen": "Yes, within 60 days.", "rejected": no},  # P112
        {"prompt": prompt, "chosen": yes, "rejected": yes},  # P230
        {"prompt": prompt, "chosen": [*yes, {"role": "tool", "content": "ok"}], "rejected": no},  # P231
        {"prompt": [*prompt, *no], "chosen": yes, "rejected": no},  # P229
        {"prompt": prompt, "chosen": [{"role": "assistant", "tool_calls": [call]}], "rejected": no},  # P241
        {"prompt": prompt, "chosen": yes, "rejected": no, "images": []},  # P110
    ]


def bad_samples() -> dict[str, list[dict[str, Any]]]:
    return {
        "vertex_bad.jsonl": vertex_bad(),
        "vertex-preference_bad.jsonl": vertex_preference_bad(),
        "vertex-reinforcement_bad.jsonl": vertex_reinforcement_bad(),
        "nova_bad.jsonl": nova_bad(),
        "nova-preference_bad.jsonl": nova_preference_bad(),
        "trl-preference_bad.jsonl": trl_preference_bad(),
    }


def samples() -> dict[str, bytes]:
    """Each file's name and bytes: one compact JSON object a line, as prep convert writes."""
    return {name: jsonl_bytes(rows) for name, rows in {**good_samples(), **bad_samples()}.items()}


def main() -> None:
    for name, data in samples().items():
        (SAMPLES / name).write_bytes(data)


if __name__ == "__main__":
    main()
