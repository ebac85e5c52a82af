"""The bookkeeping as a lesson's check code reads it."""

from __future__ import annotations

from asyncshell.practice_server.stats import MAX_DISTINCT_PATHS, StatsRecorder


def test_a_lesson_check_is_one_line():
    recorder = StatsRecorder()
    for i in range(21):
        recorder.begin(f"/tiles/5/{i}/0.png")
    for _ in range(21):
        recorder.end(200, 100)
    s = recorder.snapshot()
    assert s.peak_in_flight <= 21 and s.requests_for("/tiles/") == 21
    assert s.statuses[429] == 0, "codes never seen count as 0"
    assert "requests={'/tiles/5/0/0.png': 1," in repr(s)


def test_reset_keeps_requests_still_in_flight():
    recorder = StatsRecorder()
    recorder.begin("/delay/5")
    recorder.begin("/delay/5")
    recorder.reset()
    s = recorder.snapshot()
    assert (s.total_requests, s.in_flight, s.peak_in_flight) == (0, 2, 2)
    recorder.end(200, 10)
    recorder.end(None, 0)
    s = recorder.snapshot()
    assert (s.in_flight, s.aborted, dict(s.statuses), s.bytes_sent) == (0, 1, {200: 1}, 10)


def test_endless_distinct_paths_do_not_grow_memory_but_still_count_by_prefix():
    recorder = StatsRecorder()
    for i in range(MAX_DISTINCT_PATHS + 500):
        recorder.begin(f"/pages/p{i}")
    s = recorder.snapshot()
    assert len(s.requests) == MAX_DISTINCT_PATHS + 1
    assert s.requests["/pages/…"] == 500
    assert s.requests_for("/pages/") == MAX_DISTINCT_PATHS + 500


def test_the_cap_holds_for_every_key_however_the_paths_differ() -> None:
    from asyncshell.practice_server.stats import MAX_KEY, MAX_OVERFLOW_KEYS

    recorder = StatsRecorder()
    for i in range(MAX_DISTINCT_PATHS + 3 * MAX_OVERFLOW_KEYS):
        recorder.begin(f"/unique-{i}/x")  # a new first segment every time
    for i in range(50):
        recorder.begin("/" + "a" * 8192 + str(i))  # long paths
    s = recorder.snapshot()
    assert len(s.requests) <= MAX_DISTINCT_PATHS + MAX_OVERFLOW_KEYS + 1
    assert max(len(key) for key in s.requests) <= MAX_KEY
    assert s.total_requests == sum(s.requests.values()) == MAX_DISTINCT_PATHS + 3 * MAX_OVERFLOW_KEYS + 50
