/** The unified API server, portable part: the web-standard handler and the store interfaces (no Node built-ins). */
export { createHandler, constantTimeEqual, ndjsonLines, type ServerOptions, type AccessLogLine, type PlainHandler, type PlainRequest, type PlainResponse, type UnifiedHandler } from './handler.js';
export { MemoryAccountStore, type AccountStore } from './accounts.js';
export { MemoryIdempotencyStore, type IdempotencyStore, type StoredResponse } from './idempotency.js';
