"""Hypothesis strategies for what an attacker types: shared by every app's hostile-input tests.

Text with control characters and odd Unicode, huge and deeply nested Markdown, raw HTML that
nests or hides tags, and extreme dates and numbers. Each strategy stays within what a form or
the API would carry (a body up to the allowed length), so a failure is a real bug, not a
test that sent more than the site accepts.
"""

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

C0_CONTROLS = "".join(chr(code) for code in range(32)) + "\x7f"
ODD_UNICODE = (
    "\u00a0\u200b\u200d\u200e\u202e\u2028\u2029\ufeff\ufffd\ufffe"  # spaces, joiners, bidi, BOM
    "\u0301\u0345\u0130\u0131\u00df\ufb01\u1e9e"  # combining marks, case-changing letters
    "\U0001f600\U0001f469\u200d\U0001f4bb\U000e0041"  # emoji, ZWJ sequence, tag character
    "\u4e2d\u05d0\u0627"  # CJK, Hebrew, Arabic
)

# Units that, repeated, have made Markdown, highlighting or HTML parsers slow.
HOSTILE_UNITS = [
    "[", "![", "]", "(", "*", "_", "**a", "~~", "`", "<", ">", "> ", "- ", "1. ", "#", "|",
    "<!--", "-->", "<![CDATA[", "<?", "</", "&#", "&amp;", "\\", "\n", "  \n", "    ",
    "[a](", "[a]: /b\n", "<http://a.b>", "<a ", "<div>", "<div>\n", '<div title="<">',
    "<b x>", "</q>", "<span>", "<blockquote>", "<p>", "<li>", "<table><tr><td>", "<img src=x>",
    "<script>", "<style>", "<textarea>", "<svg>", "<math>", "|x\n", "x ", "'", '"',
]  # fmt: skip
CODE_LANGUAGES = ["html", "java", "python", "yaml", "xml", "ini", "javascript", "nosuchlanguage", ""]

control_text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(C0_CONTROLS))
odd_text = st.text(alphabet=st.sampled_from(C0_CONTROLS + ODD_UNICODE + "ab <>&\"'#*_`[]()"))


@st.composite
def repeated(draw, max_length: int):
    """One or a few hostile units, repeated up to max_length characters."""
    units = draw(st.lists(st.sampled_from(HOSTILE_UNITS), min_size=1, max_size=3))
    length = draw(st.sampled_from([1_000, max_length // 5, max_length // 2, max_length]))
    pattern = "".join(units)
    return (pattern * (length // len(pattern) + 1))[:length]


@st.composite
def fenced(draw, max_length: int):
    """A fenced code block in some language, holding hostile units."""
    language = draw(st.sampled_from(CODE_LANGUAGES))
    inner = draw(repeated(max_length - 20))
    return f"```{language}\n{inner}\n```"


@st.composite
def nested(draw, max_length: int):
    """Containers nested as deep as the length allows: quotes, lists, emphasis, raw HTML."""
    opener = draw(st.sampled_from(["> ", "- ", "1. ", "* ", "<div>", "<blockquote>", "<b>", "[", "*"]))
    depth = draw(st.integers(1, max_length // (len(opener) + 1)))
    return opener * depth + draw(st.sampled_from(["x", "`x`", "[x](/y)", ""]))


def markdown_bodies(max_length: int):
    """Post bodies an attacker would try: hostile repetitions, code blocks, deep nesting, odd text."""
    return st.one_of(
        repeated(max_length),
        fenced(max_length),
        nested(max_length),
        st.lists(st.one_of(odd_text, control_text), max_size=20).map("\n".join),
    ).map(lambda body: body[:max_length])


# Dates: the far past and future, odd offsets, the edges of what Python and databases hold.
extreme_datetimes = st.one_of(
    st.sampled_from(
        [
            datetime.min.replace(tzinfo=UTC),
            datetime.max.replace(tzinfo=UTC),
            datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
            datetime(2201, 1, 1, tzinfo=UTC),
            datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        ]
    ),
    st.datetimes(timezones=st.just(UTC)),
)
extreme_date_strings = st.one_of(
    extreme_datetimes.map(datetime.isoformat),
    st.sampled_from(
        [
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00+14:00",
            "2024-02-30T00:00:00Z",
            "2024-13-01",
            "99999-01-01T00:00:00Z",
            "-0001-01-01T00:00:00Z",
            "2024-01-01T00:00:00+25:00",
            "2024-01-01T24:00:00Z",
            "1e308",
            "",
            "\x00",
        ]
    ),
    st.builds(
        lambda base, seconds: (base + timedelta(seconds=seconds)).isoformat(),
        st.just(datetime(2000, 1, 1, tzinfo=UTC)),
        st.integers(-(10**10), 10**10),
    ),
)
# Numbers for list parameters, limits and ids: beyond int64, negative, zero, not numbers at all.
extreme_numbers = st.one_of(
    st.sampled_from([0, -1, 2**31, 2**63, 2**64, -(2**63) - 1, 10**100]),
    st.integers(),
).map(str) | st.sampled_from(["1e9", "NaN", "inf", "-0", "0x10", "\uff11", "1.5", " 1", "", "\x00"])


def hostile_settings(max_examples: int):
    """Hypothesis settings for the hostile-input suite: few, repeatable examples; no stored database.

    Derandomized, so CI runs the same examples every time and a failure reproduces locally.
    Tests that take pytest fixtures (a client, a user) share them across examples on purpose:
    each example checks its own effect on the database.
    """
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# A line of text for a title, a name or a tag: any Unicode, control characters and all.
lines = st.one_of(odd_text, control_text, st.text()).map(lambda value: value[:300])
tag_lists = st.lists(st.one_of(odd_text, st.text(max_size=60)), max_size=25)
