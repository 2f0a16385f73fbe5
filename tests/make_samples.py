"""Write the converter samples in sample_data/ (run: python -m tests.make_samples).

- ``faq.csv``: a FAQ as Excel saves "CSV UTF-8": a BOM, CRLF line endings, cells
  with commas, quotes and line breaks quoted; columns question, answer, category.
- ``support_tickets.xlsx``: support tickets in a real workbook: a system prompt
  merged down the first column, replies built by formulas (with the values Excel
  saves beside them), dates, and a second sheet with a summary.
- ``legacy_products.csv``: legacy prompt/completion data with the classic
  mistakes prepare_data warned about (no separator, no leading space, no stop
  sequence, a shared instruction prefix, a duplicate, an empty completion, a very
  long example).
- ``legacy_sentiment.csv``: legacy classification data in capitals.

``tests/cli/test_convert_cli.py`` checks that the committed files hold what this
script writes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.xlsx_support import add_cached_values

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"

FAQ = [
    (
        "How do I reset my password?",
        'Click "Forgot password" on the sign-in page and follow the link we email you.',
        "account",
    ),
    (
        "Can I change the email address on my account?",
        "Yes. Go to Settings > Account, enter the new address and confirm it from the message we send there.",
        "account",
    ),
    (
        "Which payment methods do you accept?",
        "We accept:\n- Visa, Mastercard and American Express\n- PayPal\n- bank transfer (business plans only)",
        "billing",
    ),
    (
        "How do I get an invoice?",
        "Invoices are under Billing > History. Each one can be downloaded as a PDF.",
        "billing",
    ),
    ("Do you offer refunds?", "Yes, within 30 days of purchase, no questions asked.", "billing"),
    ("How long does shipping take?", "Standard shipping takes 3-5 business days; express takes 1-2.", "shipping"),
    (
        "Do you ship internationally?",
        "We ship to the EU, the UK, Canada and Australia.\nCustoms fees, if any, are paid on delivery.",
        "shipping",
    ),
    ("Can I track my order?", "Yes: the shipping email has a tracking link, and so does Orders > Details.", "shipping"),
    (
        'What does "back-ordered" mean?',
        "The item is out of stock; we ship it as soon as it arrives and charge you only then.",
        "orders",
    ),
    ("Can I cancel an order?", "Until it ships, yes: open Orders, pick the order and click Cancel.", "orders"),
    (
        "Is my data shared with third parties?",
        "No. We share data only with the payment and shipping providers that need it to serve you.",
        "privacy",
    ),
    (
        "How do I delete my account?",
        "Go to Settings > Privacy > Delete account. It takes effect after 14 days, so you can still change your mind.",
        "privacy",
    ),
]

SYSTEM = "You are the support assistant of Acme Outdoor. Answer in two sentences at most."

TICKETS: list[tuple[str, str, dt.date, Any]] = [
    # (ticket, customer message, opened, reply: text, or (formula, saved value))
    (
        "T-1001",
        "My tent arrived with a broken pole.",
        dt.date(2024, 3, 4),
        "Sorry about that! We are sending a replacement pole today, free of charge.",
    ),
    (
        "T-1002",
        "When will my refund arrive?",
        dt.date(2024, 3, 5),
        (
            '="Your refund was issued on "&TEXT(C3,"yyyy-mm-dd")&"; it reaches your card within 5 business days."',
            "Your refund was issued on 2024-03-05; it reaches your card within 5 business days.",
        ),
    ),
    (
        "T-1003",
        "Can I exchange my boots for a larger size?",
        dt.date(2024, 3, 6),
        "Yes: start a return under Orders, choose Exchange, and pick the new size.",
    ),
    (
        "T-1004",
        "Where is my order?",
        dt.date(2024, 3, 6),
        (
            '="Ticket "&A5&": your order left our warehouse on "&TEXT(C5+1,"yyyy-mm-dd")&"."',
            "Ticket T-1004: your order left our warehouse on 2024-03-07.",
        ),
    ),
    (
        "T-1005",
        "Do you repair sleeping bag zippers?",
        dt.date(2024, 3, 7),
        "We do. Send it with the prepaid label from your account; repairs take about two weeks.",
    ),
    (
        "T-1006",
        "The jacket I bought is not waterproof.",
        dt.date(2024, 3, 8),
        "Sorry to hear that. Please send us a photo of the label so we can arrange a replacement.",
    ),
    (
        "T-1007",
        "Is the 2-person tent big enough for 2 adults and a dog?",
        dt.date(2024, 3, 8),
        "It fits two adults; with a dog, the 3-person model is more comfortable.",
    ),
    (
        "T-1008",
        "How do I clean a down jacket?",
        dt.date(2024, 3, 9),
        "Wash it cold on a gentle cycle with down soap, then tumble dry low with two tennis balls.",
    ),
    (
        "T-1009",
        "My discount code does not work.",
        dt.date(2024, 3, 11),
        (
            '="The code expired on "&TEXT(C10-1,"yyyy-mm-dd")&"; here is a new one: SPRING10."',
            "The code expired on 2024-03-10; here is a new one: SPRING10.",
        ),
    ),
    (
        "T-1010",
        "Can I pick up my order in store?",
        dt.date(2024, 3, 12),
        "Yes, choose Click & Collect at checkout; we email you when it is ready.",
    ),
    (
        "T-1011",
        "Do you sell gift cards?",
        dt.date(2024, 3, 12),
        "We do, from 10 to 500 euros, as e-cards or plastic cards.",
    ),
    (
        "T-1012",
        "The stove I ordered is missing its manual.",
        dt.date(2024, 3, 13),
        "You can download the manual from the product page; we have emailed you the link too.",
    ),
]

PRODUCTS = [
    ("trail running shoes", "Light trail running shoes with a grippy sole for muddy paths"),
    ("a 2-person tent", "A 2-person tent that pitches in five minutes and packs down to the size of a loaf"),
    ("a down jacket", "A warm down jacket that squashes into its own pocket"),
    ("a headlamp", "A 300-lumen headlamp that runs a whole weekend on one charge!"),
    ("a water filter", "A pocket water filter that makes stream water safe to drink"),
    ("trekking poles", "Folding carbon trekking poles that weigh less than a bottle of water"),
    ("a camping stove", "A compact gas stove that boils a litre of water in three minutes"),
    ("a sleeping pad", "An insulated sleeping pad that keeps you warm on frozen ground"),
    ("a rain jacket", "A breathable rain jacket with taped seams and a helmet-sized hood"),
    ("a daypack", "A 20-litre daypack with a ventilated back and a pocket for everything"),
    ("wool socks", "Merino wool socks that stay fresh for days on the trail"),
    ("a camping mug", "An insulated steel mug that keeps coffee hot for an hour!"),
]
PROMPT_PREFIX = "Write a short product description for: "
COMPLETION_PREFIX = "Description: "

REVIEWS = [
    ("THE TENT KEPT US DRY ALL NIGHT", "POSITIVE"),
    ("THE ZIPPER BROKE ON DAY ONE", "NEGATIVE"),
    ("GREAT FIT AND VERY WARM", "POSITIVE"),
    ("ARRIVED LATE AND DAMAGED", "NEGATIVE"),
    ("BEST BOOTS I HAVE OWNED", "POSITIVE"),
    ("THE STRAPS DUG INTO MY SHOULDERS", "NEGATIVE"),
    ("LIGHT, SMALL AND BRIGHT", "POSITIVE"),
    ("LEAKED IN LIGHT RAIN", "NEGATIVE"),
    ("WORTH EVERY CENT", "POSITIVE"),
    ("THE STOVE WOULD NOT LIGHT", "NEGATIVE"),
    ("COMFORTABLE ON A 20 KM HIKE", "POSITIVE"),
    ("SMELLS OF PLASTIC", "NEGATIVE"),
]


def _csv(rows: list[tuple[str, ...]], *, bom: bool = True) -> bytes:
    """CSV as Excel writes it: fields quoted when needed, quotes doubled, CRLF after each row."""

    def field(text: str) -> str:
        return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in ',"\n\r') else text

    body = "".join(",".join(field(c) for c in row) + "\r\n" for row in rows)
    return (b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8")


def faq_csv() -> bytes:
    return _csv([("question", "answer", "category"), *FAQ])


def legacy_products_csv() -> bytes:
    rows = [
        (f"{PROMPT_PREFIX}{name}", f"{COMPLETION_PREFIX}{text}" + ("" if text.endswith("!") else "."))
        for name, text in PRODUCTS
    ]
    rows.append(rows[3])  # a duplicate
    rows.append((f"{PROMPT_PREFIX}a tent peg", ""))  # an empty completion
    spec = " ".join(f"Layer {i}: ripstop nylon, taped seams, 2,000 mm hydrostatic head." for i in range(160))
    rows.append(
        (
            f"{PROMPT_PREFIX}an expedition tent with this spec sheet: {spec}",
            f"{COMPLETION_PREFIX}A four-season tent for the worst weather.",
        )
    )
    return _csv([("prompt", "completion"), *rows], bom=False)


def legacy_sentiment_csv() -> bytes:
    return _csv([("prompt", "completion"), *REVIEWS], bom=False)


def write_tickets(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tickets"
    sheet.append(["Ticket", "System prompt", "Opened", "Customer message", "Agent reply"])
    cached = {}
    for row, (ticket, message, opened, reply) in enumerate(TICKETS, 2):
        if isinstance(reply, tuple):
            reply, cached[f"E{row}"] = reply
        sheet.append([ticket, SYSTEM if row == 2 else None, opened, message, reply])
        sheet.cell(row, 3).number_format = "yyyy-mm-dd"
    sheet.merge_cells(f"B2:B{len(TICKETS) + 1}")
    summary = book.create_sheet("Summary")
    summary.append(["Tickets", f"=COUNTA(Tickets!A2:A{len(TICKETS) + 1})"])
    book.properties.creator = "prep tests"
    book.properties.created = book.properties.modified = dt.datetime(2024, 3, 14, 9, 0)
    book.save(path)
    add_cached_values(path, {"Tickets": cached, "Summary": {"B1": len(TICKETS)}})


def main() -> None:
    (SAMPLES / "faq.csv").write_bytes(faq_csv())
    (SAMPLES / "legacy_products.csv").write_bytes(legacy_products_csv())
    (SAMPLES / "legacy_sentiment.csv").write_bytes(legacy_sentiment_csv())
    write_tickets(SAMPLES / "support_tickets.xlsx")


if __name__ == "__main__":
    main()
