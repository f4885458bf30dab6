/** Node-only pieces: the HTTP adapter for the handler and the file-backed account store. */
export { serveHandler } from './server/node-adapter.js';
export { FileAccountStore } from './server/file-accounts.js';
