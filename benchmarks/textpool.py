"""Seeded pools of synthetic text in several languages, plus code blocks.

No external corpus: sentences are drawn from the small word lists below. Every
pool entry carries a token estimate (characters divided by a per-language
chars-per-token ratio, measured once with o200k_base on these pools), so the
generator can aim at a token length without running a tokenizer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

EN = """the of and to in is you that it was for on are as with they at be this have
from or one had by word but not what all were we when your can said there use an each
which she do how their if will up other about out many then them these so some her would
make like him into time has look two more write go see number no way could people my than
first water been call who its now find long down day did get come made may part over new
sound take only little work know place year live me back give most very after thing our
just name good sentence man think say great where help through much before line right too
mean old any same tell boy follow came want show also around form three small set put end
does another well large must big even such because turn here why ask went men read need land
different home us move try kind hand picture again change off play spell air away animal
house point page letter mother answer found study still learn should data model server
request response customer order account invoice payment error file report system user
network database query table value function service update version release feature issue
support team project schedule meeting budget policy security access password token limit
training example result analysis performance memory latency throughput deploy cluster config
cache index record field schema format message email address price product shipping delivery
refund subscription plan contract manager review quarterly revenue forecast migration backup
incident ticket priority deadline weekly summary draft document translation""".split()

DE = """der die das und ist nicht ich sie es wir ein eine zu mit auf für von den dem im bei
nach über unter Kunde Bestellung Rechnung Zahlung Konto Daten Server Anfrage Antwort Fehler
Datei Bericht System Benutzer Netzwerk Datenbank Tabelle Wert Funktion Dienst Aktualisierung
Version Sicherheit Zugriff Passwort schön groß klein schnell langsam wichtig müssen können
sollen werden haben sein gehen kommen sehen finden geben nehmen machen sagen Straße Größe
Übersicht Lösung Änderung Prüfung Möglichkeit Unterstützung Lieferung Rückerstattung heute
morgen gestern immer wieder bereits noch schon sehr gut bitte danke Vertrag Abteilung Termin
Besprechung Angebot Preis Produkt Versand Woche Monat Jahr Zeit Frage Problem natürlich
leider außerdem jedoch deshalb während zwischen gegenüber ungefähr täglich zuverlässig""".split()

RU = """и в не на я что он с как а то все она так его но да ты к у же вы за бы по только
ее мне было вот от меня еще нет о из ему теперь когда даже ну ли если уже или быть был до
вас опять вам ведь там потом себя ничего может они тут где есть надо для мы их чем сам без
будет тогда кто этот того потому этого какой здесь один почти мой чтобы сейчас можно при
два другой после над больше через эти нас про много три хорошо лучше всегда конечно между
клиент заказ счет оплата сервер запрос ответ ошибка файл отчет система пользователь сеть
база данные таблица значение функция служба обновление версия безопасность доступ пароль
доставка возврат подписка договор менеджер неделя месяц вопрос проблема решение""".split()

JA_NOUNS = """今日 明日 天気 会社 顧客 注文 請求書 支払い アカウント データ サーバー リクエスト
応答 エラー ファイル 報告書 システム ユーザー ネットワーク データベース 設定 機能 更新
安全性 問題 解決策 方法 確認 情報 時間 場合 説明 質問 回答 東京 大阪 商品 配送 返金 契約
担当者 お客様 私たち 学習 結果 分析 性能 メモリ 会議 予定 予算 資料 翻訳 先週 来月""".split()
JA_PARTICLES = "は が を に で の と も から まで より へ".split()
JA_ENDINGS = """です ます しました できます してください になります あります ありません
思います 確認します 対応します お願いします 予定です 必要です 可能です""".split()

ZH_NOUNS = """今天 明天 天气 公司 客户 订单 发票 付款 账户 数据 服务器 请求 响应 错误 文件
报告 系统 用户 网络 数据库 设置 功能 更新 版本 安全 问题 解决 方法 确认 信息 时间 情况
说明 回答 北京 上海 商品 配送 退款 合同 负责人 我们 学习 例子 结果 分析 性能 内存 会议
计划 预算 资料 翻译""".split()
ZH_LINKS = "的 了 和 在 是 有 对 把 被 也 都 就 还 请 已经 正在 因为 所以 但是 如果 需要 可以".split()

KO = """안녕하세요 오늘 내일 날씨가 회사의 고객님 주문을 청구서 결제가 계정 데이터를 서버에서
요청이 응답을 오류가 파일을 보고서 시스템 사용자가 네트워크 데이터베이스 설정을 기능이
업데이트 버전 보안 문제가 해결 방법을 확인해 정보를 시간이 경우에는 필요합니다 가능합니다
설명해 질문이 답변을 서울 부산 상품이 배송 환불 계약 담당자 저희는 학습 예시 결과를 분석
성능 메모리 있습니다 없습니다 됩니다 했습니다 주세요 그리고 하지만 또한 매우 빠르게
천천히 회의 일정 예산 자료 번역""".split()

# Characters per o200k_base token, measured on these pools (see module docstring).
CHARS_PER_TOKEN = {"en": 5.2, "de": 5.9, "ru": 4.4, "ja": 1.4, "zh": 1.5, "ko": 2.1, "code": 3.7}
LANGUAGES = ("en", "de", "ru", "ja", "zh", "ko")

CODE_TEMPLATES = (
    (
        "python",
        'def {f1}({a}, {b}={n1}):\n    """Return the mean {w1} of {a}."""\n'
        "    {v} = [{a} * i for i in range({b})]\n    if not {v}:\n"
        '        raise ValueError("empty {w2}")\n    return sum({v}) / len({v})\n',
    ),
    (
        "python",
        "class {C}:\n    def __init__(self, {a}: int) -> None:\n        self.{a} = {a}\n"
        "        self.{v}: dict[str, int] = {{}}\n\n    def {f1}(self, key: str) -> int:\n"
        "        return self.{v}.get(key, {n1}) + self.{a}\n",
    ),
    (
        "javascript",
        "async function {f1}({a}) {{\n  const {v} = await fetch(`/api/{w1}/${{{a}}}`);\n"
        "  if (!{v}.ok) throw new Error('{w2} failed');\n  return (await {v}.json()).{b};\n}}\n",
    ),
    (
        "sql",
        "SELECT {a}, COUNT(*) AS {b}\nFROM {w1}_{w2}\nWHERE {v} > {n1}\nGROUP BY {a}\nORDER BY {b} DESC\nLIMIT {n2};\n",
    ),
    (
        "bash",
        "#!/usr/bin/env bash\nset -euo pipefail\nfor f in {w1}/*.jsonl; do\n"
        '  wc -l "$f" >> {w2}_{v}.txt\ndone\necho "{f1} done: {n1}"\n',
    ),
    ("json", '{{\n  "{a}": {n1},\n  "{b}": "{w1}",\n  "{v}": [{n2}, {n1}],\n  "enabled": true\n}}\n'),
)


@dataclass(frozen=True)
class Chunk:
    """A piece of text and its estimated o200k_base token count."""

    text: str
    tokens: int


def estimate_tokens(text: str, lang: str) -> int:
    return max(1, round(len(text) / CHARS_PER_TOKEN[lang]))


def _spaced_sentence(rng: random.Random, words: list[str], end: str = ".") -> str:
    picked = rng.choices(words, k=rng.randint(6, 22))
    if len(picked) > 10:
        picked[len(picked) // 2] += ","
    text = " ".join(picked)
    return text[0].upper() + text[1:] + end


def _ja_sentence(rng: random.Random) -> str:
    k = rng.randint(3, 9)
    pairs = map("".join, zip(rng.choices(JA_NOUNS, k=k), rng.choices(JA_PARTICLES, k=k), strict=True))
    return "、".join(pairs) + rng.choice(JA_NOUNS) + "が" + rng.choice(JA_ENDINGS) + "。"


def _zh_sentence(rng: random.Random) -> str:
    k = rng.randint(4, 12)
    pairs = map("".join, zip(rng.choices(ZH_NOUNS, k=k), rng.choices(ZH_LINKS, k=k), strict=True))
    return "，".join(pairs) + rng.choice(ZH_NOUNS) + "。"


def make_sentence(rng: random.Random, lang: str) -> str:
    if lang == "ja":
        return _ja_sentence(rng)
    if lang == "zh":
        return _zh_sentence(rng)
    words = {"en": EN, "de": DE, "ru": RU, "ko": KO}[lang]
    return _spaced_sentence(rng, words, rng.choice(".....?!"))


def make_paragraph(rng: random.Random, lang: str) -> str:
    joiner = "" if lang in ("ja", "zh") else " "
    sentences = [make_sentence(rng, lang) for _ in range(rng.randint(2, 8))]
    if rng.random() < 0.15:
        return "\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1))
    return joiner.join(sentences)


def identifier(rng: random.Random) -> str:
    return "_".join(rng.choices(EN[-150:], k=2))


def _code_snippet(rng: random.Random, template: str) -> str:
    a, b, v, f1 = (identifier(rng) for _ in range(4))
    w1, w2 = rng.choices(EN[-150:], k=2)
    return template.format(
        a=a, b=b, v=v, f1=f1, w1=w1, w2=w2, C=w1.title() + w2.title(), n1=rng.randint(0, 999), n2=rng.randint(1, 100)
    )


def make_code_block(rng: random.Random) -> str:
    lang = rng.choice(sorted({lang for lang, _ in CODE_TEMPLATES}))
    templates = [t for code_lang, t in CODE_TEMPLATES if code_lang == lang]
    body = "\n".join(_code_snippet(rng, rng.choice(templates)) for _ in range(rng.randint(1, 3)))
    return f"```{lang}\n{body}```"


@dataclass(frozen=True)
class TextPool:
    """Per-language sentence and paragraph chunks, plus code blocks."""

    sentences: dict[str, tuple[Chunk, ...]]
    paragraphs: dict[str, tuple[Chunk, ...]]
    code: tuple[Chunk, ...]

    @classmethod
    def build(cls, rng: random.Random, size: int = 400) -> TextPool:
        def chunks(make, lang: str, n: int) -> tuple[Chunk, ...]:
            texts = [make(rng, lang) for _ in range(n)]
            return tuple(Chunk(t, estimate_tokens(t, lang)) for t in texts)

        sentences = {lang: chunks(make_sentence, lang, size) for lang in LANGUAGES}
        paragraphs = {lang: chunks(make_paragraph, lang, size) for lang in LANGUAGES}
        code = chunks(lambda r, _lang: make_code_block(r), "code", size // 2)
        return cls(sentences, paragraphs, code)

    def compose(self, rng: random.Random, lang: str, tokens: int, code_share: float = 0.0) -> str:
        """Text of about `tokens` estimated tokens: sentences if short, else paragraphs."""
        if tokens < 60:
            return self._fill(rng, self.sentences[lang], tokens, " " if lang not in ("ja", "zh") else "")
        parts: list[str] = []
        total = 0
        paragraphs = self.paragraphs[lang]
        while total < tokens:
            chunk = rng.choice(self.code) if rng.random() < code_share else rng.choice(paragraphs)
            parts.append(chunk.text)
            total += chunk.tokens
        return "\n\n".join(parts)

    @staticmethod
    def _fill(rng: random.Random, pool: tuple[Chunk, ...], tokens: int, joiner: str) -> str:
        parts = [rng.choice(pool)]
        total = parts[0].tokens
        while total < tokens:
            parts.append(rng.choice(pool))
            total += parts[-1].tokens
        return joiner.join(c.text for c in parts)
