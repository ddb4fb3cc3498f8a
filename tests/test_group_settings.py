"""Group settings as the workers of the update queue see them: an admin's change reaches every worker."""

from __future__ import annotations

import asyncio

from bot.adapter.group_settings import GroupDirectory
from bot.storage import Store


async def test_a_queue_worker_sees_another_workers_group_settings_change_once_its_copy_is_old(tmp_path):
    """An admin turns alerts off through worker A; worker B, which had read the group before, follows
    once its copy is older than ``max_age``; a single process (no max age) keeps its own copy."""
    store = Store.for_data_dir(tmp_path)
    try:
        worker_a = GroupDirectory(store, max_age=0.2)
        worker_b = GroupDirectory(store, max_age=0.2)
        single = GroupDirectory(store)
        for directory in (worker_a, worker_b, single):
            assert (await directory.get(-100, "Family")).alerts_enabled
        await worker_a.update(-100, alerts_enabled=False)
        assert (await worker_b.get(-100)).alerts_enabled  # still its fresh copy
        await asyncio.sleep(0.3)
        assert not (await worker_b.get(-100)).alerts_enabled
        assert (await single.get(-100)).alerts_enabled
    finally:
        await store.close()
