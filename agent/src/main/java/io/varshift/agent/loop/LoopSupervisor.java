package io.varshift.agent.loop;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.varshift.agent.metrics.AgentMetrics;

/**
 * Keeps a consumer loop running. A loop that fails with an exception (broker unreachable, produce
 * timeout, failed forward) is replaced by a fresh one (new Kafka clients, models loaded again) after a
 * backoff; it replays from the last commit. A loop that fails more than {@code maxFailures} times in
 * a row without committing in between, or with an {@link Error}, is a permanent failure: liveness goes
 * DOWN and {@code exit} is called with 1 so that a supervisor (systemd, Kubernetes) restarts the process.
 */
public final class LoopSupervisor implements Runnable {

    private static final Logger LOG = Logger.getLogger(LoopSupervisor.class);

    /** Waits between restarts; tests pass one that records instead of sleeping. */
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * @param backoff wait before the first restart, doubled per further failure in a row
     * @param maxBackoff longest wait between restarts
     * @param maxFailures failures in a row (no commit in between) that are still restarted
     */
    public record Policy(Duration backoff, Duration maxBackoff, int maxFailures) {
        public Policy {
            if (backoff == null || backoff.isNegative() || maxBackoff == null || maxBackoff.compareTo(backoff) < 0) {
                throw new IllegalArgumentException("varshift.agent.restart.backoff = " + backoff
                        + ", restart.max-backoff = " + maxBackoff + ": use 0 <= backoff <= max-backoff, e.g. 1s and 30s");
            }
            if (maxFailures < 0) {
                throw new IllegalArgumentException("varshift.agent.restart.max-failures = " + maxFailures
                        + ": use 0 (never restart) or more, e.g. 10");
            }
        }

        Duration wait(int failures) {
            long millis = backoff.toMillis() << Math.min(failures - 1, 20);
            return millis >= maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis(millis);
        }
    }

    private final Supplier<AgentLoop> loops;
    private final Policy policy;
    private final AgentMetrics metrics;
    private final Sleeper sleeper;
    private final IntConsumer exit;
    private final Clock clock;
    private volatile AgentLoop current;
    private volatile boolean stopping;
    private volatile boolean waiting;
    private volatile String failure;

    /** @param loops makes a loop with fresh Kafka clients and models each time */
    public LoopSupervisor(Supplier<AgentLoop> loops, Policy policy, AgentMetrics metrics, Sleeper sleeper,
            IntConsumer exit, Clock clock) {
        this.loops = loops;
        this.policy = policy;
        this.metrics = metrics;
        this.sleeper = sleeper;
        this.exit = exit;
        this.clock = clock;
    }

    @Override
    public void run() {
        int failures = 0;
        while (!stopping) {
            AgentLoop loop = null;
            try {
                loop = loops.get();
                current = loop;
                if (stopping) {
                    loop.stop();
                }
                loop.run();
                return;
            } catch (Error e) {
                giveUp("the agent loop failed with " + e + "; the process cannot go on", e);
                return;
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                failures = loop != null && loop.commits() > 0 ? 1 : failures + 1;
                if (failures > policy.maxFailures()) {
                    giveUp("the agent loop failed " + failures + " times in a row without committing (limit "
                            + policy.maxFailures() + ", varshift.agent.restart.max-failures); last: " + e, e);
                    return;
                }
                Duration wait = policy.wait(failures);
                LOG.errorf(e, "the agent loop failed (%d in a row, limit %d): %s; restarting in %s with new Kafka"
                        + " clients, replaying from the last commit", failures, policy.maxFailures(), e.getMessage(),
                        wait);
                if (!pause(wait)) {
                    return;
                }
                metrics.loopRestarted();
            }
        }
    }

    private boolean pause(Duration wait) {
        waiting = true;
        try {
            sleeper.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            waiting = false;
        }
    }

    private void giveUp(String message, Throwable cause) {
        failure = message;
        LOG.fatalf(cause, "%s; exiting with status 1 so that the process supervisor restarts the agent", message);
        exit.accept(1);
    }

    /** Stops the running loop (it commits what is covered) and restarts no more. */
    public void stop() {
        stopping = true;
        AgentLoop loop = current;
        if (loop != null) {
            loop.stop();
        }
    }

    /** The running loop, or the last one while waiting to restart; null before the first. */
    public AgentLoop loop() {
        return current;
    }

    /** Why the supervisor gave up, or null while it has not. */
    public String failure() {
        return failure;
    }

    /** Whether a failed loop is waiting for its restart. */
    public boolean restarting() {
        return waiting;
    }

    /**
     * Liveness: not given up, and the loop returned from poll within {@code timeout} (a loop waiting
     * for its restart counts as alive: it is recovering).
     */
    public boolean alive(Duration timeout) {
        if (failure != null) {
            return false;
        }
        AgentLoop loop = current;
        if (waiting || loop == null || loop.lastPoll() == null) {
            return true;
        }
        return clock.instant().isBefore(loop.lastPoll().plus(timeout));
    }

    /** When the loop last returned from poll, or null. */
    public Instant lastPoll() {
        AgentLoop loop = current;
        return loop == null ? null : loop.lastPoll();
    }
}
