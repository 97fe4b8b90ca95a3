export { nextNormal } from "./normal.js";
export { MAX_SEED, nextInt32, nextUniform, seedStreams } from "./streams.js";
