import { argon2idAsync } from '@noble/hashes/argon2.js';
console.log('scheduler', typeof globalThis.scheduler);
const salt = new Uint8Array(16);
let ticks = 0; let maxGap = 0; let last = performance.now();
const iv = setInterval(() => { const n = performance.now(); maxGap = Math.max(maxGap, n - last); last = n; ticks++; }, 5);
const t0 = performance.now();
await argon2idAsync('pw', salt, { m: 19456, t: 2, p: 1, dkLen: 32, asyncTick: 10 });
clearInterval(iv);
console.log(`took ${(performance.now()-t0).toFixed(0)} ms, interval ticks ${ticks}, max gap ${maxGap.toFixed(0)} ms`);
