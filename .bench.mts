import { run } from './src/bench/engine.js';
console.log(JSON.stringify(await run(), null, 1));
