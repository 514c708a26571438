package io.varshift.stack.replay;

/** Time that moves only when the replay waits, so pacing is exact and tests never sleep. */
final class VirtualTicker implements Ticker {

    private long now = 1_000_000_000L;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void sleepUntil(long deadline) {
        now = Math.max(now, deadline);
    }
}
