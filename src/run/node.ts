/** The `run` namespace of `basin/node`: the browser's, plus Node's environment (files, ONNX Runtime). */
export * from './index.js';
export { nodeEnvironment } from './node-environment.js';
export { NODE_DATA_SOURCES } from '../data/sources/node.js';
export { fileSource } from '../data/sources/file.js';
