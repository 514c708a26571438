package io.varshift.stack.replay;

import java.util.concurrent.locks.LockSupport;

/** Time for pacing; tests pass a virtual one so that rate and time-based onset never sleep. */
interface Ticker {

    long nanoTime();

    /** Returns at or after {@code deadline} ({@link #nanoTime()} scale). */
    void sleepUntil(long deadline);

    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepUntil(long deadline) {
            for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(left);
                if (Thread.currentThread().isInterrupted()) {
                    throw new ReplayException("interrupted while pacing the replay");
                }
            }
        }
    };
}
