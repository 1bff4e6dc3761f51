"""Errors: every problem in an expression is an XPathError with a catalog code.

The messages are built from the catalog (HOUSE-STYLE §10), so the tests check
the code, the position and the parts of the context that tell the user where
and how to fix the expression.
"""

from __future__ import annotations

import pytest
import re2

from sociaparis.survey.fielding.submission import MAX_ANSWER_LENGTH
from sociaparis.survey.xpath import XPathError, XPathErrorCode, evaluate, parse, parser
from sociaparis.survey.xpath.errors import XPathErrorCode as E
from sociaparis.survey.xpath.functions import MAX_STRING_LENGTH, _compile_regex
from sociaparis.survey.xpath.parser import MAX_DEPTH, MAX_LENGTH, MAX_NODES

# (expression, error, 1-based position or None)
PARSE_ERRORS = [
    ("", E.EMPTY, None),
    ("   ", E.EMPTY, None),
    ("1 +", E.SYNTAX, 4),
    ("(1 + 2", E.SYNTAX, 7),
    ("1 + 2)", E.SYNTAX, 6),
    ("1 2", E.SYNTAX, 3),
    ("* 2", E.NOT_A_REFERENCE, 1),  # a name test, not multiplication
    ("1 = = 2", E.SYNTAX, 5),
    ("concat('a',)", E.SYNTAX, 12),
    ("${a} | ${b}", E.SYNTAX, 6),
    ("1 ~ 2", E.SYNTAX, 3),
    ("1e5", E.SYNTAX, 2),
    ("'abc", E.UNTERMINATED_STRING, 1),
    ('concat("a", "b)', E.UNTERMINATED_STRING, 13),
    ("${age", E.BAD_REFERENCE, 1),
    ("${} = 1", E.BAD_REFERENCE, 1),
    ("${first name}", E.BAD_REFERENCE, 1),
    ("${1st}", E.BAD_REFERENCE, 1),
    ("${last-saved#age}", E.BAD_REFERENCE, 1),
    ("age > 18", E.NOT_A_REFERENCE, 1),
    ("/data/age > 18", E.NOT_A_REFERENCE, 1),
    ("${age}/value", E.NOT_A_REFERENCE, 1),
    ("${rep}[1]", E.NOT_A_REFERENCE, 1),
    ("../age", E.PARENT_OUTSIDE_POSITION, 1),
    ("@id", E.NOT_A_REFERENCE, 1),
    ("$age", E.NOT_A_REFERENCE, 1),
    ("1 + child::age", E.NOT_A_REFERENCE, 5),
    ("selectd(${a}, 'x')", E.UNKNOWN_FUNCTION, 1),
    ("1 + foo()", E.UNKNOWN_FUNCTION, 5),
    ("node()", E.UNKNOWN_FUNCTION, 1),
    ("not()", E.ARITY, 1),
    ("not(1, 2)", E.ARITY, 1),
    ("true(1)", E.ARITY, 1),
    ("if(1, 2)", E.ARITY, 1),
    ("round()", E.ARITY, 1),
    ("round(1, 2, 3)", E.ARITY, 1),
    ("selected(${a})", E.ARITY, 1),
    ("substr('abc')", E.ARITY, 1),
    ("min()", E.ARITY, 1),
    ("position()", E.ARITY, 1),
    ("position(${a})", E.SYNTAX, 1),
    ("regex(${a}, '[0-9')", E.BAD_REGEX, 1),
    ("regex(${a}, '(?P<x')", E.BAD_REGEX, 1),
    # Constructs a linear-time engine cannot run are refused when parsed.
    ("regex(${a}, '^(a)\\1$')", E.UNSUPPORTED_REGEX, 1),
    ("regex(${a}, '^(?=.*[0-9]).{8,}$')", E.UNSUPPORTED_REGEX, 1),
    ("regex(${a}, '(?<!@)paris')", E.UNSUPPORTED_REGEX, 1),
    ("regex(${a}, '(?>a+)b')", E.UNSUPPORTED_REGEX, 1),
    ("regex(${a}, 'a*+b')", E.UNSUPPORTED_REGEX, 1),
    ("regex(${a}, '^.{1,20000}$')", E.UNSUPPORTED_REGEX, 1),
    ("1 + regex(${a}, '(?P<n>a)(?P=n)')", E.UNSUPPORTED_REGEX, 5),
    ("count('abc')", E.NODESET_REQUIRED, 1),
    ("sum(1 + 2)", E.NODESET_REQUIRED, 1),
    ("count-non-empty(concat(${a}))", E.NODESET_REQUIRED, 1),
    ("indexed-repeat('a', ${rep}, 1)", E.NODESET_REQUIRED, 1),
    ("indexed-repeat(${a}, 'rep', 1)", E.NODESET_REQUIRED, 1),
    ("jr:choice-name(${a}, ${a})", E.BAD_CHOICE_NAME, 1),
    ("jr:choice-name(${a}, 'not a name')", E.BAD_CHOICE_NAME, 1),
    ("instance('cities')/root/item", E.UNSUPPORTED_FUNCTION, 1),
    ("randomize(${a})", E.UNSUPPORTED_FUNCTION, 1),
    ("pulldata(${a}, 'a', 'b', ${a})", E.BAD_PULLDATA, 1),
    ("1 + pulldata('../x', 'a', 'b', ${a})", E.BAD_PULLDATA, 5),
    ("pulldata('f', 'a', 'b')", E.ARITY, 1),
    ("1 + current()", E.UNSUPPORTED_FUNCTION, 5),
    ("jr:itext('label')", E.UNSUPPORTED_FUNCTION, 1),
    ("weighted-checklist(1, 2, ${a})", E.ARITY, 1),
    ("(" * 150 + "1" + ")" * 150, E.TOO_DEEP, None),
    ("1" + " = 1" * 150, E.TOO_DEEP, None),
]


@pytest.mark.parametrize(("expression", "error", "position"), PARSE_ERRORS)
def test_parse_errors(
    expression: str, error: XPathErrorCode, position: int | None
) -> None:
    with pytest.raises(XPathError) as caught:
        parse(expression)
    assert caught.value.error is error
    assert caught.value.code == error.code
    if position is not None:
        assert caught.value.context["position"] == position
    assert str(caught.value) == f"{error.code}: {error.format(**caught.value.context)}"


def test_codes_are_unique_and_numbered() -> None:
    codes = [member.code for member in XPathErrorCode]
    assert len(codes) == len(set(codes))
    assert all(code.startswith("XPATH_0") for code in codes)


def test_unknown_function_suggests_the_closest_name() -> None:
    with pytest.raises(XPathError) as caught:
        parse("selectd(${a}, 'x')")
    assert caught.value.context["name"] == "selectd"
    assert caught.value.context["suggestion"] == "selected"
    assert "Did you mean selected()?" in caught.value.message


def test_arity_message_gives_the_signature() -> None:
    with pytest.raises(XPathError) as caught:
        parse("if(${a} = 1, 'x')")
    assert str(caught.value.context["expected"]) == "3"
    assert caught.value.context["expected"].fr == "3 argument(s)"
    assert caught.value.context["given"] == 2
    assert "if(condition, then, else)" in caught.value.message


def test_errors_name_the_expression() -> None:
    with pytest.raises(XPathError) as caught:
        parse("${a} > ")
    assert "`${a} > `" in caught.value.message
    assert "character 8" in caught.value.message


def test_regex_with_a_computed_bad_pattern_fails_at_evaluation(stub) -> None:
    expression = parse("regex('abc', concat('[', 'a'))")
    with pytest.raises(XPathError) as caught:
        evaluate(expression, stub())
    assert caught.value.error is E.BAD_REGEX
    assert caught.value.context["pattern"] == "[a"


def test_a_computed_pattern_with_a_backreference_fails_at_evaluation(stub) -> None:
    expression = parse("regex('aa', concat('(a)', '\\1'))")
    with pytest.raises(XPathError) as caught:
        evaluate(expression, stub())
    assert caught.value.error is E.UNSUPPORTED_REGEX


def test_regex_runs_on_a_linear_time_engine(stub) -> None:
    # Linear by construction: RE2 compiles patterns to automata and never
    # backtracks, so nested quantifiers cost a bounded amount per character.
    search = _compile_regex("^(a+)+$")
    assert isinstance(search.args[0].__self__, re2._Regexp)
    crafted = "a" * MAX_ANSWER_LENGTH + "!"
    assert evaluate("regex(${v}, '^(a+)+$')", stub({"v": crafted})) is False


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("1 + " * (MAX_LENGTH // 4) + "1", E.TOO_LONG),
        ("${a} + " * 2900 + "1", E.TOO_LONG),
        ("1+" * (MAX_NODES // 2) + "1", E.TOO_LARGE),
        ("concat(" + "1, " * MAX_NODES + "1)", E.TOO_LARGE),
        ("1 and 2 or " * 1500 + "1", E.TOO_LARGE),
        # Deeper than Python's recursion limit: a catalog error, never RecursionError.
        ("(" * 9000 + "1" + ")" * 9000, E.TOO_DEEP),
        ("not(" * 3000 + "1" + ")" * 3000, E.TOO_DEEP),
        ("-(" * 6000 + "1" + ")" * 6000, E.TOO_DEEP),
        ("1 < " * 3000 + "1", E.TOO_DEEP),
    ],
    ids=lambda value: value[:24] if isinstance(value, str) else value.code,
)
def test_size_limits(expression: str, error: XPathErrorCode) -> None:
    with pytest.raises(XPathError) as caught:
        parse(expression)
    assert caught.value.error is error
    assert len(caught.value.message) < 1000  # the expression is abbreviated


def test_a_sum_of_the_largest_size_is_parsed(stub) -> None:
    terms = (MAX_NODES + 1) // 2
    assert evaluate("1+" * (terms - 1) + "1", stub()) == terms


def test_parsing_a_long_chain_copies_each_operand_once(monkeypatch) -> None:
    # An n-ary node per operator would copy the operands at each one: work
    # quadratic in the length (a 50,000-term sum took most of a minute).
    copied = 0
    node = parser.Node

    def counting(kind, pos, value=None, children=(), depth=1):
        nonlocal copied
        copied += len(children)
        return node(kind, pos, value, children, depth)

    monkeypatch.setattr(parser, "Node", counting)
    terms = 600
    parser.parse_tree(" - ".join(["${a} + ${b} and ${c}"] * terms))
    assert copied <= 6 * terms


@pytest.mark.parametrize(
    "expression",
    [
        "concat(${long}, ${long})",
        "concat(${many}, 'x')",
        "join(' ', ${long}, ${long})",
        "join('x', ${many})",
        "string-length(concat(${many}))",
    ],
)
def test_built_texts_are_bounded_when_evaluated(stub, expression: str) -> None:
    half = "a" * (MAX_STRING_LENGTH // 2)
    context = stub({"long": half + "a", "many": [half, half, "a"]})
    with pytest.raises(XPathError) as caught:
        evaluate(expression, context)
    assert caught.value.error is E.STRING_TOO_LONG
    assert caught.value.context["length"] > MAX_STRING_LENGTH


def test_texts_up_to_the_bound_are_built(stub) -> None:
    half = "a" * (MAX_STRING_LENGTH // 2)
    context = stub({"long": half, "many": [half, half]})
    assert len(evaluate("concat(${long}, ${long})", context)) == MAX_STRING_LENGTH
    assert len(evaluate("join('', ${many})", context)) == MAX_STRING_LENGTH


def test_regex_reads_a_lone_surrogate_as_a_replacement_character(stub) -> None:
    # JSON answers (simulate, the API) can hold one; RE2 reads UTF-8.
    context = stub({"v": "\ud800abc"})
    assert evaluate("regex(${v}, '^.abc$')", context) is True
    with pytest.raises(XPathError) as caught:
        parse("regex(${v}, '\ud800')")
    assert caught.value.error is E.BAD_REGEX


def test_nesting_limit_is_generous_enough_for_real_forms(stub) -> None:
    # 40 nested if() calls, as in a hand-written score-to-category calculate.
    expression = "if(${s} < 1, 'c0', " * 40 + "'last'" + ")" * 40
    assert evaluate(expression, stub({"s": "5"})) == "last"
    assert MAX_DEPTH >= 100


def test_xpath_error_is_a_sociaparis_error() -> None:
    from sociaparis.core.errors import SociaparisError

    assert issubclass(XPathError, SociaparisError)


# Characters a spreadsheet's autocorrect (French locale included) slips into
# formulas: the message names them and says what to type instead.
HINTS = [
    ("${a} = \u2019yes\u2019", 8, "typographic quote"),
    ("${a} = \u00abyes\u00bb", 8, "typographic quote"),
    ("${a}\u00a0= 1", 5, "non-breaking space"),
    ("${a} \u2260 1", 6, "write !="),
    ("${a} \u2264 1", 6, "write <="),
    ("${a} \u2212 1", 6, "write -"),
    ("1e5", 2, "no exponent notation"),
    ("1 + 2E-3", 6, "no exponent notation"),
]


@pytest.mark.parametrize(("expression", "position", "hint"), HINTS)
def test_syntax_hints(expression: str, position: int, hint: str) -> None:
    with pytest.raises(XPathError) as caught:
        parse(expression)
    assert caught.value.error is E.SYNTAX
    assert caught.value.context["position"] == position
    assert hint in caught.value.message


def test_unsupported_functions_say_why() -> None:
    with pytest.raises(XPathError) as caught:
        parse("instance('cities')/root/item")
    reason = caught.value.context["reason"]
    assert "secondary instances" in str(reason) and "instances secondaires" in reason.fr
