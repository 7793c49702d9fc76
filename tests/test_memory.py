"""The bounded memory every cache of the block is made of."""
import threading

from cultural_safety_xblock.scenario.memory import Memory


def test_a_memory_keeps_at_most_its_limit_and_forgets_the_oldest_first():
    memory = Memory(3)
    for number in range(5):
        assert memory.keep(number, str(number)) == str(number)
    assert len(memory) == 3 and 0 not in memory and 1 not in memory
    assert [memory.get(number) for number in (2, 3, 4)] == ["2", "3", "4"]
    memory.forget(3)
    assert memory.get(3, "gone") == "gone" and len(memory) == 2
    memory.forget()
    assert len(memory) == 0


def test_threads_keeping_at_once_never_leave_a_memory_over_its_limit():
    memory, seen = Memory(50), []

    def keep(offset):
        for number in range(2_000):
            memory.keep((offset, number), number)
            seen.append(len(memory))

    threads = [threading.Thread(target=keep, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(seen) <= 50 and len(memory) == 50
