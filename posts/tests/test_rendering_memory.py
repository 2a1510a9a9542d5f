"""Rendering a body gives back all the memory it took: an import renders thousands of them.

cmarkgfm's own wrapper kept every syntax tree and every rendered page (about 25 KB a post);
what the C allocator holds is read from glibc itself, since Python's tracemalloc cannot see it.
"""

import ctypes
import platform

import pytest

from posts import rendering

BODY = (
    "A paragraph about **lakes**, [a link](https://example.org/) and ~~old~~ *new* words.\n\n" * 20
    + "| lake | depth |\n|---|--:|\n| Baikal | 1642 |\n\n```python\nprint('deep')\n```\n"
)


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def c_heap_in_use() -> int:
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _Mallinfo2
    info = libc.mallinfo2()
    return info.uordblks + info.hblkhd


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="reads glibc's own count of memory in use")
def test_rendering_a_body_many_times_keeps_no_memory():
    for n in range(50):  # warm every cache (regular expressions, lexers) first
        rendering.render_markdown(BODY + str(n))
    before = c_heap_in_use()
    for n in range(1000):
        rendering.render_markdown(BODY + str(n))
    grown = c_heap_in_use() - before
    assert grown < 2_000_000, f"{grown:,} bytes kept after 1,000 renders"
