import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveBatchWindow, SQLITE_BATCH_WINDOW, batchWindowFor } from '../../src/domain/batch-window.js';

/** Feeds `count` sends spread evenly over `spanMs`, starting at `start`; returns the time after the last. */
function feed(window: AdaptiveBatchWindow, start: number, count: number, spanMs: number): number {
  for (let i = 0; i < count; i++) window.noteSend(start + (i * spanMs) / count);
  return start + spanMs;
}

describe('domain/batch-window', () => {
  it('keeps the acknowledgement prompt when sends are rare and waits longer only under load', () => {
    assert.equal(batchWindowFor(SQLITE_BATCH_WINDOW, 0), 3);
    assert.equal(batchWindowFor(SQLITE_BATCH_WINDOW, 400), 3);
    assert.equal(batchWindowFor(SQLITE_BATCH_WINDOW, 800), 9);
    assert.equal(batchWindowFor(SQLITE_BATCH_WINDOW, 1_200), 15);
    assert.equal(batchWindowFor(SQLITE_BATCH_WINDOW, 50_000), 15);
  });

  it('follows the arrival rate up and back down', () => {
    const window = new AdaptiveBatchWindow(SQLITE_BATCH_WINDOW);
    let now = 10_000;
    assert.equal(window.windowMs(now), 3, 'nothing sent yet');

    now = feed(window, now, 20, 1_000); // 20 sends a second: a quiet room
    assert.equal(window.windowMs(now), 3);

    now = feed(window, now, 600, 300); // a burst: 2,000 sends a second
    assert.equal(window.windowMs(now), 15);

    now = feed(window, now + 2_000, 3, 1_000); // the burst is over
    assert.equal(window.windowMs(now), 3);
  });

  it('notices a burst right after a lull without waiting for the span to end', () => {
    const window = new AdaptiveBatchWindow(SQLITE_BATCH_WINDOW);
    window.noteSend(0);
    const now = feed(window, 60_000, 300, 100); // 3,000 a second, after a minute of silence
    assert.equal(window.windowMs(now - 1), 15);
  });
});
