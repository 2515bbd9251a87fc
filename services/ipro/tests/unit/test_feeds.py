"""Which partition a replica must have read to its end to know a stream: the one the producers put it on."""

import pytest
from aiokafka.partitioner import DefaultPartitioner

from ipro.feeds import partition_of


@pytest.mark.parametrize("key", ["action-1", "0b6f1c1e-7d0e-4a51-9d6a-2f7c6a1e9b3d", "é", ""])
@pytest.mark.parametrize("partitions", [1, 3, 12])
def test_a_stream_is_looked_for_on_the_partition_the_producers_default_partitioner_chose(key, partitions):
    chosen = DefaultPartitioner()(key.encode(), list(range(partitions)), list(range(partitions)))
    assert partition_of(key, partitions) == chosen
