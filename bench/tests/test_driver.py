from bench import driver
from bench.driver import Case, Result


def result(name, ratio, **case):
    return Result(case=Case(name, "/", **case), status=200, rps=100 * ratio, ratio=ratio, p99_ms=10)


def test_it_reports_each_target_as_the_share_reached():
    checks = driver.verdicts([result("post, cache off", 0.075, target=0.15), result("home", 1.6, target=0.8)])
    shares = sorted(round(share, 2) for share, _ in checks)
    assert shares == [0.5, 2.0]


def test_it_misses_a_p99_above_its_limit():
    slow = result("search", 0.2, target=0.1, p99_ms=50)
    slow.p99_ms = 100
    assert min(share for share, _ in driver.verdicts([slow])) == 0.5


def test_it_compares_a_deep_page_with_the_first():
    first = result("home, cache off", 0.2)
    deep = result("home, page 5000, cache off", 0.1, like=("home, cache off", 0.8))
    [(share, sentence)] = driver.verdicts([deep], among=[first, deep])
    assert round(share, 3) == 0.625
    assert "0.50 of home, cache off" in sentence


def test_it_counts_a_missing_page_as_a_miss():
    missing = Result(case=Case("dashboard", "/dashboard/", target=0.1), status=302)
    assert driver.verdicts([missing])[0][0] == 0.0


def test_it_checks_that_the_larger_corpus_keeps_the_smaller_ones_rate():
    small = [result("home, cache off", 0.2)]
    large = [result("home, cache off", 0.15, growth=0.8)]
    _, checks = driver.growth_table(small, large, (1000, 100_000))
    assert [round(share, 4) for share, _ in checks] == [0.9375]


def test_it_says_when_the_floor_moved_too_much_for_a_quiet_run():
    def floors(*rates):
        return [Result(case=Case("floor", "/bench/floor/"), status=200, rps=rate) for rate in rates]

    assert driver.quiet_note(floors(4000, 4200, 4100), floors(4050, 4150)) == ""
    note = driver.quiet_note(floors(4000, 4200, 4100), floors(3800, 5000))
    assert note.startswith("Not a quiet run: the floor moved 27% (more than 10%)")


def test_it_keys_the_kept_corpus_on_its_size_and_code():
    assert driver.corpus_signature(1000) == driver.corpus_signature(1000)
    assert driver.corpus_signature(1000) != driver.corpus_signature(100_000)


def test_it_compares_the_cpu_of_worker_and_database_together_where_both_were_measured():
    small = [result("search", 0.2, growth=0.8), result("home", 0.2, growth=0.8)]
    large = [result("search", 0.15, growth=0.8), result("home", 0.2, growth=0.8)]
    for r, worker, database in zip(small + large, [2.0, 1.0, 2.0, 1.0], [1.0, None, 3.0, None], strict=True):
        r.cpu_ms, r.db_cpu_ms = worker, database
    lines, _ = driver.growth_table(small, large, (1000, 100_000))
    assert "| search | 0.200 | 0.150 | 0.75 | 1.00 | 0.60 | ≥ 0.8 |" in lines[2]
    assert "| home | 0.200 | 0.200 | 1.00 | 1.00 | — | ≥ 0.8 |" in lines[3]
