"""Each document format read into turns and paragraphs with exact code-point offsets."""

from __future__ import annotations

import codecs
import hashlib
import json
import unicodedata

import pytest
from click.testing import CliRunner

from sociaparis.cli import cli
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual.document import ImportedDocument
from sociaparis.qual.errors import QualError
from sociaparis.qual.io import document_format, read_document
from sociaparis.web.i18n import error_text

# Accents, an emoji (outside the BMP), and "e" + combining acute that NFC composes.
FR = "Élodie : « On a testé 🤖 Copilot », café\u0301 compris."
FR_NFC = unicodedata.normalize("NFC", FR)

VTT = """WEBVTT - interview 3

NOTE written by noScribe

STYLE
::cue { color: white }

1
00:00:01.000 --> 00:00:04.250 align:start
<v S00>Bonjour, vous utilisez <i>ChatGPT</i> ?</v>

2
00:00:04.250 --> 00:00:06.000
<v S00>Au travail &amp; ailleurs.

00:06.000 --> 01:00:07.500
<v.loud S01>Oui 🙂 au quotidien,
pour les notes de service.
"""

VTT_WHISPERX = """WEBVTT

00:00:00.000 --> 00:00:02.000
[SPEAKER_00]: Première question.

00:00:02.000 --> 00:00:03.000
[SPEAKER_01]: Réponse.
"""

SRT = """1
00:00:00,000 --> 00:00:02,500
[SPEAKER_00]: On utilise Albert
depuis mars.

2
00:00:02,500 --> 00:00:05,000
[SPEAKER_01]: Et l'<i>environnement</i> ?

3
00:00:05,000 --> 00:00:06,000
[SPEAKER_01]: C'est une vraie question.
"""

WHISPER = {
    "text": " Bonjour. Ça va ?",
    "segments": [
        {"id": 0, "start": 0.0, "end": 1.2, "text": " Bonjour.", "words": []},
        {"id": 1, "start": 1.2, "end": 2.0, "text": " Ça va ?"},
    ],
    "language": "fr",
}
WHISPERX = {
    "segments": [
        {
            "start": 0.5,
            "end": 2.0,
            "text": " Vous êtes à la DSIN ?",
            "speaker": "SPEAKER_00",
        },
        {"start": 2.0, "end": 3.0, "text": " Oui,", "speaker": "SPEAKER_01"},
        {"start": 3.0, "end": 4.5, "text": " depuis 2019.", "speaker": "SPEAKER_01"},
    ]
}

# As noScribe 0.6 writes it: a DOCTYPE, a title and a header paragraph, one <p>
# per speaker, ts_START_END_SPEAKER anchors in ms, a timestamp span, a pause
# anchor and overlapping speech.
NOSCRIBE = (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0//EN" '
    '"http://www.w3.org/TR/REC-html40/strict.dtd">\n'
    '<html><head><meta charset="UTF-8" />'
    '<meta name="audio_source" content="entretien.mp3" />\n'
    '<style type="text/css">p { font-size: 0.9em; }</style></head>\n'
    '<body><div class="WordSection1">\n'
    '<p style="font-weight: 600">entretien</p>\n'
    '<p><span style="color: #909090">Transcribed with noScribe vers. 0.6<br />'
    "Audio file: entretien.mp3</span></p>\n"
    '<p><a name="ts_0_2500_S00" >S00: <span style="color: #78909C" >[00:00:00]</span>'
    " Bonjour, merci d'être là.</a>"
    '<a name="ts_2500_4000_S00" > Première question&nbsp;?</a></p>\n'
    '<p><a name="ts_4000_5000_S01" >S01: Oui.</a><a name="ts_5000_6000_S01" > (..)</a>'
    """<a name="ts_6000_7000_//S00" > //S00: D'accord.//</a></p>\n"""
    "</div></body></html>\n"
)


def vtt_turns() -> list[tuple]:
    return [
        ("S00", 1.0, 6.0, "Bonjour, vous utilisez ChatGPT ? Au travail & ailleurs."),
        ("S01", 6.0, 3607.5, "Oui 🙂 au quotidien, pour les notes de service."),
    ]


# (filename, bytes, options, format, expected turns (speaker, start_s, end_s, text),
#  expected paragraphs' text or None, warning codes)
CASES = [
    (
        "notes.txt",
        f"{FR}\n\nLigne un\nligne deux\n\n\n\n  Fin.  ".encode(),
        {},
        "txt",
        [],
        [FR_NFC, "Ligne un\nligne deux", "Fin."],
        [],
    ),
    (
        "bom.txt",
        codecs.BOM_UTF8 + f"{FR}\r\n\r\nSuite.".encode(),
        {},
        "txt",
        [],
        [FR_NFC, "Suite."],
        [],
    ),
    ("utf16.txt", FR.encode("utf-16"), {}, "txt", [], [FR_NFC], []),
    (
        "utf16be.txt",
        codecs.BOM_UTF16_BE + FR.encode("utf-16-be"),
        {},
        "txt",
        [],
        [FR_NFC],
        [],
    ),
    (
        "windows.txt",
        "Élodie : « données »\n\nVoilà… — fin".encode("cp1252"),
        {},
        "txt",
        [],
        ["Élodie : « données »", "Voilà… — fin"],
        ["QUAL_020"],
    ),
    # 0x81 is undefined in cp1252: latin-1 is the last resort
    ("latin1.txt", b"caf\xe9 \x81", {}, "txt", [], ["café \x81"], ["QUAL_020"]),
    ("ff.txt", b"page 1\x0cpage 2", {}, "txt", [], ["page 1page 2"], ["QUAL_022"]),
    (
        "speakers.txt",
        (
            "Entretien n°3\n\nEnquêtrice : Vous utilisez ChatGPT ?\n\n"
            "M. Dupont\u00a0: Oui.\n\nSurtout pour écrire.\n\n[SPEAKER_02]: Moi aussi."
        ).encode(),
        {"detect_speakers": True},
        "txt",
        [
            ("Enquêtrice", None, None, "Vous utilisez ChatGPT ?"),
            ("M. Dupont", None, None, "Oui.\n\nSurtout pour écrire."),
            ("SPEAKER_02", None, None, "Moi aussi."),
        ],
        None,
        [],
    ),
    (
        "notes.md",
        b"# Titre\n\n- point *un*\n- point deux\n\nS01: texte",
        {},
        "markdown",
        [],
        ["# Titre", "- point *un*\n- point deux", "S01: texte"],
        [],
    ),
    ("interview.vtt", VTT.encode(), {}, "vtt", vtt_turns(), None, []),
    (
        "whisperx.vtt",
        VTT_WHISPERX.encode(),
        {},
        "vtt",
        [
            ("SPEAKER_00", 0.0, 2.0, "Première question."),
            ("SPEAKER_01", 2.0, 3.0, "Réponse."),
        ],
        None,
        [],
    ),
    (
        "interview.srt",
        SRT.encode(),
        {},
        "srt",
        [
            ("SPEAKER_00", 0.0, 2.5, "On utilise Albert depuis mars."),
            ("SPEAKER_01", 2.5, 6.0, "Et l'environnement ? C'est une vraie question."),
        ],
        None,
        [],
    ),
    (
        "whisper.json",
        json.dumps(WHISPER).encode(),
        {},
        "whisper_json",
        [(None, 0.0, 1.2, "Bonjour."), (None, 1.2, 2.0, "Ça va ?")],
        ["Bonjour.", "Ça va ?"],
        [],
    ),
    (
        "whisperx.json",
        json.dumps(WHISPERX, ensure_ascii=False).encode(),
        {},
        "whisper_json",
        [
            ("SPEAKER_00", 0.5, 2.0, "Vous êtes à la DSIN ?"),
            ("SPEAKER_01", 2.0, 4.5, "Oui, depuis 2019."),
        ],
        ["SPEAKER_00: Vous êtes à la DSIN ?", "SPEAKER_01: Oui, depuis 2019."],
        [],
    ),
    (
        "entretien.html",
        NOSCRIBE.encode(),
        {},
        "noscribe_html",
        [
            ("S00", 0.0, 4.0, "Bonjour, merci d'être là. Première question\u00a0?"),
            ("S01", 4.0, 6.0, "Oui. (..)"),
            ("S00", 6.0, 7.0, "D'accord."),
        ],
        None,
        [],
    ),
    (
        "page.html",
        b"<html><body><h1>Compte rendu</h1><ul><li><p>un</p></li></ul>"
        b"<p>Deux&nbsp;: fin</p></body></html>",
        {},
        "html",
        [],
        ["Compte rendu", "un", "Deux\u00a0: fin"],
        [],
    ),
]


def check_offsets(doc: ImportedDocument) -> None:
    """The structural guarantees every reader gives."""
    assert unicodedata.is_normalized("NFC", doc.text)
    assert "\r" not in doc.text
    for start, end in doc.paragraphs:
        assert 0 <= start < end <= len(doc.text)
        assert doc.text[start:end] == doc.text[start:end].strip()
        assert "\n\n" not in doc.text[start:end]
    ends = [0, *[x for p in doc.paragraphs for x in p], len(doc.text)]
    assert ends == sorted(ends)
    for turn in doc.turns:
        assert 0 <= turn.start < turn.end <= len(doc.text)
        if turn.speaker is not None:
            assert doc.text[: turn.start].endswith(f"{turn.speaker}: ") or doc.text[
                : turn.start
            ].rstrip().endswith(":")


@pytest.mark.parametrize(
    ("filename", "data", "options", "fmt", "turns", "paragraphs", "warnings"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_read(filename, data, options, fmt, turns, paragraphs, warnings) -> None:
    doc = read_document(data, filename=filename, **options)
    assert doc.format == fmt
    assert doc.filename == filename
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    got = [(t.speaker, t.start_s, t.end_s, doc.text[t.start : t.end]) for t in doc.turns]
    assert got == turns
    if paragraphs is not None:
        assert [doc.text[s:e] for s, e in doc.paragraphs] == paragraphs
    assert [w.code for w in doc.warnings] == warnings
    check_offsets(doc)


# (.txt, --speakers?, turns as (speaker, utterance), paragraphs)
TURN_LINES = [
    (  # one turn per line, no blank line between turns
        "Enquêtrice : Vous utilisez ChatGPT ?\nM. Dupont\u00a0: Oui.\n"
        "[SPEAKER_02]: Moi aussi.\n",
        True,
        [
            ("Enquêtrice", "Vous utilisez ChatGPT ?"),
            ("M. Dupont", "Oui."),
            ("SPEAKER_02", "Moi aussi."),
        ],
        [
            "Enquêtrice : Vous utilisez ChatGPT ?",
            "M. Dupont\u00a0: Oui.",
            "[SPEAKER_02]: Moi aussi.",
        ],
    ),
    (  # the same with blank lines between turns
        "Enquêtrice : Vous utilisez ChatGPT ?\n\nM. Dupont : Oui.",
        True,
        [("Enquêtrice", "Vous utilisez ChatGPT ?"), ("M. Dupont", "Oui.")],
        ["Enquêtrice : Vous utilisez ChatGPT ?", "M. Dupont : Oui."],
    ),
    (  # Windows line ends
        "S01: oui\r\nS02: non\r\n",
        True,
        [("S01", "oui"), ("S02", "non")],
        ["S01: oui", "S02: non"],
    ),
    (  # a title line above the turns stays a paragraph of its own
        "Entretien n°3\nS01: oui\nS02: non",
        True,
        [("S01", "oui"), ("S02", "non")],
        ["Entretien n°3", "S01: oui", "S02: non"],
    ),
    (  # a line without a label continues the turn above it
        "S01: une réponse\nsur deux lignes\nS02: non\n\net un paragraphe",
        True,
        [("S01", "une réponse\nsur deux lignes"), ("S02", "non\n\net un paragraphe")],
        ["S01: une réponse\nsur deux lignes", "S02: non", "et un paragraphe"],
    ),
    (  # one label in a paragraph: one turn, its line breaks kept
        "S01: une réponse\nsur deux lignes",
        True,
        [("S01", "une réponse\nsur deux lignes")],
        ["S01: une réponse\nsur deux lignes"],
    ),
    (  # without --speakers, lines are not turns
        "S01: oui\nS02: non",
        False,
        [],
        ["S01: oui\nS02: non"],
    ),
]


@pytest.mark.parametrize(
    ("text", "speakers", "turns", "paragraphs"),
    TURN_LINES,
    ids=["per-line", "per-paragraph", "crlf", "title", "wrapped", "one-label", "off"],
)
def test_txt_turns_one_per_line_or_per_paragraph(
    text: str, speakers: bool, turns: list, paragraphs: list
) -> None:
    doc = read_document(text.encode(), filename="t.txt", detect_speakers=speakers)
    assert [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns] == turns
    assert [doc.text[s:e] for s, e in doc.paragraphs] == paragraphs
    assert doc.warnings == []
    check_offsets(doc)


def test_vtt_text_layout_and_code_point_offsets() -> None:
    doc = read_document(VTT.encode(), filename="i.vtt")
    assert doc.text == (
        "S00: Bonjour, vous utilisez ChatGPT ? Au travail & ailleurs.\n\n"
        "S01: Oui 🙂 au quotidien, pour les notes de service."
    )
    # offsets count code points: the first piece is 60 of them, then the blank line
    # and the "S01: " label; the emoji is one code point, so "au" follows at +6
    first_piece = "S00: Bonjour, vous utilisez ChatGPT ? Au travail & ailleurs."
    assert len(first_piece) == 60
    second = doc.turns[1]
    assert second.start == 60 + len("\n\n") + len("S01: ")
    assert doc.text[second.start + 4 : second.start + 5] == "🙂"
    assert doc.text[second.start + 6 : second.start + 8] == "au"
    assert doc.speakers == ("S00", "S01")


def test_nfc_composition_changes_offsets() -> None:
    decomposed = "cafe\u0301 😀 noe\u0308l".encode()
    doc = read_document(decomposed, filename="n.txt")
    assert doc.text == "café 😀 noël"
    assert len(doc.text) == 11  # é and ë are one code point each after NFC
    assert doc.paragraphs == ((0, 11),)


@pytest.mark.parametrize(
    ("paragraphs", "table", "expected"),
    [
        ([FR, "", "  Suite  "], None, [FR_NFC, "Suite"]),
        (
            ["Intro"],
            [["S01: cellule", "autre"], ["b", "c"]],
            ["Intro", "S01: cellule", "autre", "b", "c"],
        ),
    ],
)
def test_docx(build, paragraphs, table, expected) -> None:
    doc = read_document(build.docx(paragraphs, table), filename="e.docx")
    assert doc.format == "docx"
    assert [doc.text[s:e] for s, e in doc.paragraphs] == expected
    check_offsets(doc)


def test_docx_speakers(build) -> None:
    data = build.docx(
        ["Enquêteur : Et Copilot ?", "S01 : On l'a testé 🙂.", "Sans label."]
    )
    doc = read_document(data, filename="e.docx", detect_speakers=True)
    assert [(t.speaker, doc.turn_text(i)) for i, t in enumerate(doc.turns)] == [
        ("Enquêteur", "Et Copilot ?"),
        ("S01", "On l'a testé 🙂.\n\nSans label."),
    ]


def test_odt(build) -> None:
    body = (
        "<text:h>Entretien</text:h>"
        "<text:p>S01 :<text:s text:c='2'/>Bonjour<text:tab/>à tous"
        "<office:annotation><text:p>commentaire</text:p></office:annotation></text:p>"
        "<text:list><text:list-item><text:p>item <text:span>un</text:span></text:p>"
        "</text:list-item></text:list>"
        "<table:table><table:table-row><table:table-cell><text:p>cellule</text:p>"
        "</table:table-cell></table:table-row></table:table>"
        "<text:p>ligne<text:line-break/>suite<text:note><text:note-body><text:p>note"
        "</text:p></text:note-body></text:note></text:p><text:p/>"
    )
    doc = read_document(build.odt(body_xml=body), filename="e.odt")
    assert [doc.text[s:e] for s, e in doc.paragraphs] == [
        "Entretien",
        "S01 :  Bonjour\tà tous",
        "item un",
        "cellule",
        "ligne\nsuite",
    ]
    speakers = read_document(
        build.odt(body_xml=body), filename="e.odt", detect_speakers=True
    )
    assert (
        speakers.turn_text(0) == "Bonjour\tà tous\n\nitem un\n\ncellule\n\nligne\nsuite"
    )


def test_reimport_is_detected_by_hash(build) -> None:
    first = read_document(build.odt(["a"]), filename="a.odt")
    again = read_document(build.odt(["a"]), filename="copie.odt")
    other = read_document(build.odt(["b"]), filename="a.odt")
    assert first.sha256 == again.sha256 != other.sha256


def test_read_from_path(tmp_path) -> None:
    path = tmp_path / "entretien.srt"
    path.write_bytes(SRT.encode())
    doc = read_document(path)
    assert doc.filename == "entretien.srt" and len(doc.turns) == 2
    assert read_document(str(path), format="srt").text == doc.text


def test_skipped_cue_warning_has_line_number() -> None:
    data = b"WEBVTT\n\nbad timing\nhello\n\n00:00:01.000 --> 00:00:02.000\nok\n"
    doc = read_document(data, filename="w.vtt")
    assert doc.turn_text(0) == "ok"
    [warning] = doc.warnings
    assert warning.code == "QUAL_021" and warning.location.row == 3


def test_skipped_whisper_segment_warning() -> None:
    data = json.dumps({"segments": [{"start": "x", "text": "a"}, {"text": "b"}]}).encode()
    doc = read_document(data, filename="w.json")
    assert doc.text == "b" and doc.turns == ()
    assert [(w.code, w.location.row) for w in doc.warnings] == [("QUAL_021", 1)]


@pytest.mark.parametrize(
    ("filename", "data", "en", "fr"),
    [
        (
            "t.srt",
            b"1\n00:00:00,000 --> 00:00:01,000\nBonjour.\n\n2\n%s:00:00,000 --> "
            b"00:00:02,000\nSuite.\n" % (b"9" * 20),
            "cue timing: the hour field 999999999999… has 20 digits (at most 15)",
            "horaire du sous-titre : le champ des heures 999999999999… a 20 "
            "chiffres (15 au plus)",
        ),
        (
            "w.vtt",
            b"WEBVTT\n\nbad timing\nhello\n\n00:00:01.000 --> 00:00:02.000\nok\n",
            "no valid 'start --> end' timing line",
            "pas de ligne d'horaire « début --> fin » valide",
        ),
        (
            "w.json",
            b'[{"text": "a", "start": -2}, {"text": "b"}]',
            "segment 1: time -2 is negative",
            "segment 1 : l'horodatage -2 est négatif",
        ),
        (
            # Python's own message, quoted as it is in both languages
            "n.html",
            b'<html><body><p><a name="ts_x_1_S00">S00: Oui.</a>'
            b'<a name="ts_0_1000_S00">S00: Bonjour.</a></p></body></html>',
            "anchor name 'ts_x_1_S00' is not ts_START_END_SPEAKER (invalid literal "
            "for int() with base 10: 'x')",
            "le nom d'ancre « ts_x_1_S00 » n'est pas de la forme "
            "ts_DÉBUT_FIN_LOCUTEUR (invalid literal for int() with base 10: 'x')",
        ),
    ],
)
def test_a_skipped_part_gives_its_reason_in_english_and_french(
    filename, data, en, fr
) -> None:
    [warning] = read_document(data, filename=filename).warnings
    assert warning.context == {"path": filename, "reason": Reason(en=en, fr=fr)}
    assert warning.message == QualError.SKIPPED_BLOCK.format(path=filename, reason=en)


@pytest.mark.parametrize(
    ("filename", "data", "en", "fr"),
    [
        (
            "t.srt",
            b"1\n00:00:00,000 --> 00:00:01,000\n\n",
            "no subtitle cue with text found. Is this really a SRT file?",
            "aucun sous-titre contenant du texte n'a été trouvé. S'agit-il vraiment "
            "d'un fichier SRT ?",
        ),
        (
            "w.json",
            b'{"segments": [{"text": " "}]}',
            "no segment with text found. Is this really a Whisper JSON file?",
            "aucun segment contenant du texte n'a été trouvé. S'agit-il vraiment d'un "
            "fichier Whisper JSON ?",
        ),
    ],
)
def test_a_transcript_without_text_says_what_it_lacks_in_english_and_french(
    filename, data, en, fr
) -> None:
    with pytest.raises(SociaparisError) as caught:
        read_document(data, filename=filename)
    assert caught.value.error is QualError.NO_SEGMENTS
    assert caught.value.message == f"{filename}: {en}"
    assert error_text(caught.value, "fr") == f"{filename} : {fr}"


@pytest.mark.parametrize(
    ("filename", "fmt", "expected"),
    [
        ("a.TXT", None, "txt"),
        ("a.markdown", None, "markdown"),
        ("a.htm", None, "noscribe_html"),
        ("a.json", None, "whisper_json"),
        ("a.bin", "webvtt", "vtt"),
        ("a.txt", "srt", "srt"),
    ],
)
def test_document_format(filename, fmt, expected) -> None:
    assert document_format(filename, fmt) == expected


def test_cli_read(tmp_path) -> None:
    path = tmp_path / "i.vtt"
    path.write_bytes(VTT.encode())
    result = CliRunner().invoke(cli, ["qual", "read", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert [t["text"] for t in payload["turns"]] == [t[3] for t in vtt_turns()]
    assert payload["format"] == "vtt" and payload["speakers"] == ["S00", "S01"]
    plain = CliRunner().invoke(cli, ["qual", "read", str(path)])
    assert plain.exit_code == 0
    assert "[67:113] 00:00:06.0-01:00:07.5 S01: Oui 🙂 au quotidien" in plain.output


def test_cli_read_error_is_a_clean_message(tmp_path) -> None:
    path = tmp_path / "vide.txt"
    path.write_bytes(b"  \n")
    result = CliRunner().invoke(cli, ["qual", "read", str(path)])
    assert result.exit_code == 1
    assert "QUAL_002: vide.txt: the file is empty or holds no text." in result.output
    assert "Traceback" not in result.output


def test_cli_read_with_format_and_speakers(tmp_path, build) -> None:
    path = tmp_path / "export.bin"
    path.write_bytes(build.docx(["Titre", "Enquêtrice : Et l'IA ?", "S01 : Oui."]))
    result = CliRunner().invoke(
        cli, ["qual", "read", str(path), "--format", "docx", "--speakers"]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("[")]
    assert lines == ["[20:29] Enquêtrice: Et l'IA ?", "[37:41] S01: Oui."]
    assert "# export.bin (docx, sha256 " in result.output
    unknown = CliRunner().invoke(cli, ["qual", "read", str(path)])
    assert unknown.exit_code == 1
    assert "QUAL_005: export.bin: cannot tell the document format" in unknown.output
