export {
  startRedisServer,
  assertRedisServer,
  freePort,
  type RedisServer,
  type RedisServerOptions,
} from "./redis-server.js";
