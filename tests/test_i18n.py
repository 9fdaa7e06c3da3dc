"""Languages: every person is answered in theirs, staff in the staff language, and a clinic
adds a language with files only.

The catalog checks fail when a text in the code is not marked for translation, when the
template (``tipbot.pot``) is stale, or when a shipped catalog misses or breaks a text.
"""

from __future__ import annotations

import ast
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po
from sqlalchemy import select
from telegram.error import BadRequest

from tests.helpers.consult import fill_spanish_form
from tipbot import i18n, texts
from tipbot.app import setup_languages
from tipbot.cli import main
from tipbot.consult.outbox_worker import run_outbox
from tipbot.core import metrics
from tipbot.core.config import PROJECT_CONTENT, ConfigError, Settings
from tipbot.core.content import ContentError, load_library
from tipbot.core.db.models import Subscriber
from tipbot.delivery import run_sweep

PACKAGE = Path(texts.__file__).parent
SPANISH = PACKAGE / "locales" / "es" / "LC_MESSAGES" / "tipbot.po"


def marked_in_code() -> set[str]:
    """Every msgid ``pybabel extract`` finds in the package (``_``, ``N_``, ``ngettext``)."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(PACKAGE)):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def template_ids(path: Path = i18n.TEMPLATE) -> set[str]:
    with path.open("rb") as handle:
        return {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(handle) if m.id}


# ----------------------------------------------------------------------------- catalogs


def test_every_text_of_the_texts_module_is_marked_for_translation():
    marked = marked_in_code()
    for name, value in vars(texts).items():
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            if isinstance(item, i18n.Plural | i18n.Text):
                msgid = item.singular if isinstance(item, i18n.Plural) else item.msgid
                assert msgid in marked, f"texts.{name} is not wrapped in _(...)"


def test_the_template_is_up_to_date_with_the_code():
    assert marked_in_code() == template_ids(), (
        "refresh the template and catalogs: README, 'Translating', for developers"
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_shipped_catalogs_are_complete_and_well_formed(language):
    report = i18n.check_catalog(i18n.catalog_paths()[language])
    assert report.problems == ()
    assert report.missing == (), f"{language} misses {len(report.missing)} texts"


def test_a_broken_translation_is_named(tmp_path):
    with SPANISH.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    catalog["✅ Send to {count}"].string = "✅ Enviar a {cuenta}"
    catalog["⏰ Time"].string = "<b>⏰ Hora"
    catalog["Skip"].string = ""
    broken = tmp_path / "es" / "LC_MESSAGES" / "tipbot.po"
    broken.parent.mkdir(parents=True)
    with broken.open("wb") as handle:
        write_po(handle, catalog)
    report = i18n.check_catalog(broken)
    assert report.missing == ("Skip",)
    assert any("placeholders differ" in p and "Send to" in p for p in report.problems)
    assert any("HTML tags differ" in p and "Time" in p for p in report.problems)


def test_plural_forms_are_real_plurals():
    assert texts.DAYS.render("en", 1, days=1) == "1 day"
    assert texts.DAYS.render("en", 3, days=3) == "3 days"
    assert texts.DAYS.render("es", 1, days=1) == "1 día"
    assert texts.DAYS.render("es", 3, days=3) == "3 días"


def test_dates_follow_the_locale():
    day = datetime(2026, 6, 12, tzinfo=UTC)
    en = (i18n.weekday_date(day, "en"), i18n.format_date(day, "en"))
    assert en == ("Fri, Jun 12", "Jun 12, 2026")
    es = (i18n.weekday_date(day, "es"), i18n.format_date(day, "es"))
    assert es == ("vie, 12 jun", "12 jun 2026")


def test_telegram_codes_resolve_to_a_catalog_or_the_default():
    catalogs = i18n.setup(default="en")
    assert [catalogs.resolve(c) for c in ("es", "ES", "es-419", "es_MX")] == ["es"] * 4
    assert [catalogs.resolve(c) for c in (None, "", "xx", "zh-hans")] == ["en"] * 4
    assert i18n.setup(default="es").resolve("xx") == "es"
    i18n.setup(default="en")


def test_a_language_without_a_catalog_is_a_configuration_error():
    with pytest.raises(i18n.LanguageError, match="TIPBOT_STAFF_LANGUAGE: no catalog for 'de'"):
        i18n.setup(default="en", staff="de")
    settings = Settings(token="1:x", staff_language="de")
    with pytest.raises(ConfigError, match="TIPBOT_STAFF_LANGUAGE: no catalog for 'de'"):
        setup_languages(settings)
    i18n.setup(default="en")


def test_a_text_renders_only_in_a_named_language():
    """No ambient language: a text used as a string fails loudly instead of picking one."""
    assert texts.BUTTON_CONSULT_SKIP.render("es") == "Saltar"
    assert texts.BUTTON_CONSULT_SKIP.render("en") == "Skip"
    with pytest.raises(TypeError, match="named language"):
        str(texts.BUTTON_CONSULT_SKIP)
    with pytest.raises(TypeError, match="named language"):
        f"{texts.BUTTON_CONSULT_SKIP}"
    # Includes follow the language they are rendered in.
    assert texts.NOT_MEDICAL_ADVICE.render("es") in texts.HELP.render("es", commands="")
    assert not hasattr(i18n, "current")


# ----------------------------------------------------------------------------- people


@pytest.fixture
def bob(tg, staff_group):
    user = tg.user("Bob")
    staff_group.add_member(user, status="member")
    return user


async def test_a_spanish_person_gets_spanish_from_start_to_daily_tip(bot, tg, maria, clock):
    await maria.send("/start")
    welcome = await maria.wait_for("Bienvenido")
    assert "las <b>09:00</b>" not in welcome.text  # HTML was rendered, not shown
    assert "hoy" in welcome.text and "no consejo médico" in welcome.text
    assert welcome.buttons == ["⏰ Hora", "🌍 Zona horaria", "📚 Temas", "📅 Días"]

    await maria.send("/help")
    help_text = (await maria.wait_for("Lo que hago")).text
    assert "/topics – elige tus temas" in help_text and "Habla con la clínica" in help_text
    assert "Prebióticos" in help_text  # topic titles from tips.es.yaml

    await maria.send("/settings")
    assert "Próximo consejo: 09:00, hoy" in (await maria.wait_for("Tus ajustes")).text

    clock.set(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    await run_sweep(bot.deps, bot.application.bot, send_backoff=0.01)
    tip = await maria.wait_for(lambda m: "👍" in m.buttons)
    assert "Fuente:" in tip.text and "➕ Otro consejo" in tip.buttons
    spanish = bot.deps.library.localized("es")
    wordings = [w for t in spanish.tips.values() for w in (t.text, *t.variants)]
    assert any(wording[:40] in tip.text for wording in wordings)  # a tip's text or variant

    assert "Consejo" not in str(tg.commands("all_private_chats"))
    menu = {c["command"]: c["description"] for c in tg.commands("all_private_chats", "es")}
    assert menu["topics"] == "Elige tus temas" and menu["language"] == "Elige tu idioma"
    assert "intestino" in tg.description("es") and "intestino" in tg.description("es", short=True)
    assert "gut" in tg.description() and "gut" in tg.description("en")


async def test_the_consultation_form_speaks_spanish(bot, maria):
    asked = await fill_spanish_form(maria)
    assert "✉️ Correo electrónico" in asked["¿Cómo puede contactarte la clínica?"].buttons
    assert "Tardes entre semana" in asked["¿Qué momento te viene mejor?"].buttons
    topics = asked["¿De qué te gustaría hablar?"].buttons
    assert "Otra cosa" in topics and "Prebióticos y probióticos" in topics
    assert "Tema: Prebióticos y probióticos" in asked["¿La envío a la clínica?"].text
    await maria.send("/cancel")
    await maria.wait_for("Cancelado")


async def test_language_switches_at_once(bot, tg, maria):
    await maria.send("/language en")
    assert "English" in (await maria.wait_for("From now on I speak")).text
    await maria.send("/help")
    await maria.wait_for("What I do")
    await maria.send("/language")
    prompt = await maria.wait_for("Which language")
    assert prompt.buttons == ["English", "Español"]
    await maria.press(prompt, "Español")
    await tg.wait_for_call("editMessageText")
    assert "A partir de ahora te hablo en Español" in prompt.text
    await maria.send("/help")
    await maria.wait_for("Lo que hago")
    await maria.send("/language klingon")
    assert (await maria.wait_for("No hablo")).buttons == ["English", "Español"]
    await maria.send("/language spanish")
    await maria.wait_for("A partir de ahora")


async def test_mydata_shows_the_language_and_forget_forgets_it(bot, tg, maria):
    await maria.send("/start")
    await maria.wait_for("Bienvenido")
    await maria.send("/language English")
    await maria.wait_for("From now on")
    await maria.send("/mydata")
    assert "Language: English (your Telegram app said: es)" in (await maria.wait_for()).text
    await maria.send("/forget")
    confirm = await maria.wait_for("Delete everything")
    await maria.press(confirm, "Yes")
    await tg.wait_for_call("editMessageText")
    assert "I deleted all your data" in confirm.text
    async with bot.deps.db.session() as session:
        assert await session.get(Subscriber, maria.id) is None
    await maria.send("/help")  # nothing stored: Telegram's language again
    await maria.wait_for("Lo que hago")


async def test_an_unknown_language_gets_the_default(bot_factory, make_settings, tg):
    await bot_factory(make_settings(default_language="es"))
    kai = tg.user("Kai", language_code="xx")
    await kai.send("/help")
    await kai.wait_for("Lo que hago")
    # Without a language_code (some clients send none) too.
    await tg.user("Nobody", language_code=None).send("/help")


async def test_staff_cards_stay_in_the_staff_language(bot, tg, maria, bob, staff_group):
    summary = (await fill_spanish_form(maria))["¿La envío a la clínica?"]
    await maria.press(summary, "Enviar")
    await maria.wait_for("recibida")
    await run_outbox(bot.deps, bot.application.bot)
    card = await staff_group.wait_for("Consultation request #1")
    assert "Language: Español" in card.text and "Topic: Prebiotics & probiotics" in card.text
    await bob.press(card, "Claim")
    await maria.wait_for("se pondrá en contacto contigo")
    await bob.reply(card, "Hola María, ¿el martes a las 10?")
    await maria.wait_for("Mensaje de la clínica")
    await staff_group.wait_for("Delivered to the person")
    await maria.send("Perfecto, gracias")
    relayed = await staff_group.wait_for("Perfecto, gracias")
    assert relayed.text.startswith("💬 #1 María")


async def test_a_spanish_staff_group_with_an_english_person(bot_factory, make_settings, tg):
    bot = await bot_factory(make_settings(staff_language="es"))
    await tg.user("Ann", language_code="en").send("/help")
    group = tg.chat(bot.deps.settings.staff_chat_id)
    bob = tg.user("Bob")
    group.add_member(bob)
    await bob.send("/requests", chat=group)
    await group.wait_for("No hay solicitudes de consulta abiertas")
    assert tg.commands({"type": "chat", "chat_id": group.id})[0]["description"].startswith(
        "Solicitudes"
    )


# ----------------------------------------------------------------------------- tips


def write_library(folder: Path, translations: dict[str, dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tips.yaml"
    shutil.copy(PROJECT_CONTENT, path)
    for language, data in translations.items():
        (folder / f"tips.{language}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def test_translations_are_validated(tmp_path):
    original = load_library(PROJECT_CONTENT)
    tip = next(iter(original.tips))
    stress = original.tips_by_topic["stress"][0].id
    bad = {
        "references": [{"id": "x"}],
        "tips": [
            {"id": tip, "text": "x" * 601},
            {"id": stress, "text": "Hallo {name} <b>"},
        ],
    }
    with pytest.raises(ContentError) as caught:
        load_library(write_library(tmp_path, {"de": bad}))
    problems = "\n".join(caught.value.problems)
    for expected in (
        "tips.de.yaml: references: references are shared",
        f"tips.de.yaml: tip {tip}: text is 601 characters",
        f"tip {stress}: placeholders ({{...}}) differ",
        f"tip {stress}: text must be plain",
    ):
        assert expected in problems


def test_entries_for_ids_the_library_lacks_are_listed_not_fatal(tmp_path):
    """Removing a tip from tips.yaml must not stop the bot until every translation follows."""
    stale = {
        "topics": [{"id": "astrology", "title": "Sterne", "description": "Die Sterne"}],
        "tips": [{"id": "removed-01", "text": "Hallo"}],
    }
    translation = load_library(write_library(tmp_path, {"de": stale})).translations["de"]
    assert translation.stale == ("topic astrology", "removed-01")
    assert not translation.complete
    assert "not in tips.yaml: topic astrology, removed-01" in translation.coverage()


def test_the_spanish_tips_cover_the_library():
    translation = load_library(PROJECT_CONTENT).translations["es"]
    if translation.stale:
        pytest.skip(
            "tips.es.yaml translates a newer tips.yaml (branch content); complete once merged: "
            + translation.coverage()
        )
    assert translation.complete, translation.coverage()


async def test_a_missing_tip_falls_back_to_english_and_is_counted(
    bot_factory, make_settings, tg, tmp_path, clock
):
    library = load_library(PROJECT_CONTENT)
    only = library.tips_by_topic["omega3"][0]
    path = write_library(tmp_path, {"es": {"tips": [{"id": only.id, "text": "Solo uno."}]}})
    bot = await bot_factory(make_settings(content=path))
    maria = tg.user("María", language_code="es")
    before = metrics.TIP_FALLBACKS.labels(language="es")._value.get()
    await maria.send("/omega3")
    tips = [await maria.wait_for(lambda m: "👍" in m.buttons)]
    await maria.press(tips[0], "Otro consejo")
    tips.append(await maria.wait_for(lambda m: "👍" in m.buttons))
    assert [("Solo uno." in t.text) for t in tips].count(True) <= 1
    english = [t for t in tips if "Solo uno." not in t.text]
    assert all("Fuente:" in t.text for t in tips)  # the frame stays Spanish
    assert metrics.TIP_FALLBACKS.labels(language="es")._value.get() == before + len(english)
    assert bot.deps.library.translations["es"].missing_topics == tuple(library.topics)


# ----------------------------------------------------------------------------- a new language


def add_german(folder: Path) -> tuple[Path, Path]:
    """What the README's "Translating" section tells a clinic to do, in files only."""
    locales = folder / "locales"
    po_path = locales / "de" / "LC_MESSAGES" / "tipbot.po"
    po_path.parent.mkdir(parents=True)
    with i18n.TEMPLATE.open("rb") as handle:
        catalog = read_po(handle, locale="de")  # pybabel init -l de
    catalog[
        "<b>What I do</b>\nOne short, evidence-based tip a day about the gut and the mind, "
        "at the time you choose.\n\n{commands}\n\n{NOT_MEDICAL_ADVICE}\n\n{CRISIS}"
    ].string = "<b>Was ich tue</b>\n{commands}\n\n{NOT_MEDICAL_ADVICE}\n\n{CRISIS}"
    catalog["Choose your topics"].string = "Wähle deine Themen"
    with po_path.open("wb") as handle:
        write_po(handle, catalog)
    content = write_library(
        folder / "content",
        {"de": {"topics": [{"id": "stress", "title": "Stress", "description": "Ruhe finden"}]}},
    )
    return locales, content


async def test_a_clinic_adds_a_language_with_files_only(bot_factory, make_settings, tg, tmp_path):
    locales, content = add_german(tmp_path)
    bot = await bot_factory(make_settings(locales_dir=locales, content=content))
    assert i18n.languages() == ["en", "de", "es"]
    hans = tg.user("Hans", language_code="de-AT")
    await hans.send("/help")
    help_text = (await hans.wait_for("Was ich tue")).text
    assert "/stress – Stress" in help_text and "ℹ️ Tips are general information" in help_text
    menu = {c["command"]: c["description"] for c in tg.commands("all_private_chats", "de")}
    assert menu["topics"] == "Wähle deine Themen" and menu["stress"] == "Ruhe finden"
    await hans.send("/language")
    assert (await hans.wait_for("Which language")).buttons == ["English", "Deutsch", "Español"]
    assert bot.deps.library.translations["de"].missing_topics


def test_check_content_prints_coverage_and_strict_fails_when_incomplete(
    tmp_path, monkeypatch, capsys
):
    locales, content = add_german(tmp_path)
    monkeypatch.setenv("TIPBOT_LOCALES_DIR", str(locales))
    assert main(["check-content", str(content)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"de: 2/\d+ texts", out) and re.search(r"es: (\d+)/\1 texts", out)
    assert re.search(r"tips\.de\.yaml: de: 0/\d+ tips \(0%\), 1/5 topics", out)
    assert main(["check-content", "--strict", str(content)]) == 1
    assert "--strict" in capsys.readouterr().err


def test_check_content_refuses_a_broken_catalog(tmp_path, monkeypatch, capsys):
    locales, content = add_german(tmp_path)
    po_path = locales / "de" / "LC_MESSAGES" / "tipbot.po"
    po_path.write_text(
        po_path.read_text().replace('msgstr "Wähle deine Themen"', 'msgstr "Wähle {topics}"')
    )
    monkeypatch.setenv("TIPBOT_LOCALES_DIR", str(locales))
    assert main(["check-content", str(content)]) == 1
    assert "placeholders differ" in capsys.readouterr().err


async def test_each_update_forgets_the_language_of_the_one_before(bot, tg, maria, alice):
    """Updates are handled one at a time here: each still starts from no language."""
    for _ in range(3):
        await maria.send("/help")
        await alice.send("/help")
        await maria.wait_for("Lo que hago")
        await alice.wait_for("What I do")
    async with bot.deps.db.session() as session:
        assert not (await session.scalars(select(Subscriber))).all()  # /help stores nothing


SENDS_TEXT = {
    "reply_text",
    "send_message",
    "answer",
    "edit_message_text",
    "InlineKeyboardButton",
    "KeyboardButton",
    "BotCommand",
}


def literal_words(node: ast.expr | None) -> list[str]:
    """Words written straight into a text argument (``"Hello"``, ``f"Hi {name}"``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.findall(r"[A-Za-z]{2,}", node.value)
    if isinstance(node, ast.JoinedStr):
        return [word for part in node.values for word in literal_words(part)]
    return []


def test_no_handler_sends_a_text_that_is_not_in_the_catalog():
    """Whatever reaches a person goes through ``texts`` (or a marked ``N_``), never a literal."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "demo.py":  # the terminal demo's own console lines
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name not in SENDS_TEXT:
                continue
            arguments = node.args[:1] + [k.value for k in node.keywords if k.arg == "text"]
            if any(literal_words(argument) for argument in arguments):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def read_at_import(tree: ast.Module) -> list[int]:
    """Lines rendering ``texts.NAME.render(...)`` outside any function (a module constant, a
    default argument): that would freeze one language for everyone. Keeping the text itself
    in a constant is fine: it is a message id, rendered where it is sent."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside |= {id(child) for statement in node.body for child in ast.walk(statement)}
        elif isinstance(node, ast.Lambda):
            inside |= {id(child) for child in ast.walk(node.body)}
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "render"
        and isinstance(node.func.value, ast.Attribute)
        and isinstance(node.func.value.value, ast.Name)
        and node.func.value.value.id == "texts"
        and id(node) not in inside
    ]


def test_texts_are_rendered_when_sent_never_at_import():
    sample = (
        "X = texts.A.render('en')\ndef f(a=texts.B.render('en')):\n"
        "    return texts.C.render('en')\ng = lambda: texts.D.render('en')\nY = texts.E\n"
    )
    assert read_at_import(ast.parse(sample)) == [1, 2]
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(PACKAGE)}:{line}" for line in read_at_import(tree)]
        offenders += [
            f"{path.relative_to(PACKAGE)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "tipbot.texts"
        ]
    assert offenders == []


async def test_the_fake_bot_api_checks_descriptions_as_telegram_does(bot):
    with pytest.raises(BadRequest, match="too long"):
        await bot.application.bot.set_my_short_description("x" * 121)
    with pytest.raises(BadRequest, match=r"(?i)lang_code_invalid"):
        await bot.application.bot.set_my_description("Hola", language_code="spanish")
    await bot.application.bot.set_my_description("Hola", language_code="es")
    assert (await bot.application.bot.get_my_description("es")).description == "Hola"
