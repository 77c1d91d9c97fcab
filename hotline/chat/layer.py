"""The chat's channel layer in production: channels-redis with a bounded connection pool."""

import redis.asyncio as redis
from channels_redis.core import RedisChannelLayer


class BoundedRedisChannelLayer(RedisChannelLayer):
    """channels-redis opens a connection for every command in flight and keeps it for the
    life of the process. When 200 consumers act at once (each joins a group, or every
    writer says hello) that is hundreds of connections, each holding its buffers: more
    memory than the chats themselves. A blocking pool makes the burst wait its turn for
    one of a few connections instead."""

    def create_pool(self, index):
        host = dict(self.hosts[index])
        return redis.BlockingConnectionPool.from_url(host.pop("address"), **host)
