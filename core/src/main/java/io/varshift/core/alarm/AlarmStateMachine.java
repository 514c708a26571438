package io.varshift.core.alarm;

import java.util.Optional;

/**
 * One layer's alarm state with hysteresis: OK → SUSPECT on the first over-threshold window,
 * SUSPECT → ALARM after {@code enterAfter} consecutive over windows, SUSPECT → OK on a clean one;
 * ALARM → RECOVERING on the first clean window, RECOVERING → OK after {@code exitAfter}
 * consecutive clean windows, RECOVERING → ALARM on an over window. With enterAfter = 1 (exitAfter = 1)
 * the intermediate state is skipped. Not thread-safe; one per layer, driven by the window closer.
 */
public final class AlarmStateMachine {

    public static final int DEFAULT_ENTER_AFTER = 2;
    public static final int DEFAULT_EXIT_AFTER = 3;

    private final int enterAfter;
    private final int exitAfter;
    private AlarmState state = AlarmState.OK;
    private int run;

    public AlarmStateMachine() {
        this(DEFAULT_ENTER_AFTER, DEFAULT_EXIT_AFTER);
    }

    /**
     * @param enterAfter consecutive over windows that raise the alarm (≥ 1)
     * @param exitAfter consecutive clean windows that clear it (≥ 1)
     */
    public AlarmStateMachine(int enterAfter, int exitAfter) {
        if (enterAfter < 1 || exitAfter < 1) {
            throw new IllegalArgumentException("alarm hysteresis: enterAfter = " + enterAfter + ", exitAfter = "
                    + exitAfter + "; both must be at least 1 window");
        }
        this.enterAfter = enterAfter;
        this.exitAfter = exitAfter;
    }

    public AlarmState state() {
        return state;
    }

    /** Consecutive windows counted towards the next transition (over ones in OK/SUSPECT, clean ones in RECOVERING). */
    public int run() {
        return run;
    }

    /**
     * Puts the machine back where a {@link #state()} and {@link #run()} taken earlier left it (a judge
     * whose state was kept elsewhere, e.g. in a Kafka Streams state store, continues where it stopped).
     */
    public void restore(AlarmState state, int run) {
        if (state == null || run < 0) {
            throw new IllegalArgumentException("alarm state: restore(" + state + ", run = " + run
                    + "); need a state and a run of at least 0 windows");
        }
        this.state = state;
        this.run = run;
    }

    /**
     * Feeds one closed window.
     *
     * @return the transition this window caused, if any
     */
    public Optional<AlarmTransition> observe(boolean over, long windowId, double statistic, double threshold) {
        AlarmState next = next(over);
        if (next == state) {
            return Optional.empty();
        }
        AlarmTransition t = new AlarmTransition(state, next, windowId, statistic, threshold);
        state = next;
        return Optional.of(t);
    }

    private AlarmState next(boolean over) {
        switch (state) {
            case OK:
            case SUSPECT:
                if (!over) {
                    run = 0;
                    return AlarmState.OK;
                }
                run++;
                return run >= enterAfter ? enter() : AlarmState.SUSPECT;
            default:
                if (over) {
                    return enter();
                }
                run++;
                if (run >= exitAfter) {
                    run = 0;
                    return AlarmState.OK;
                }
                return AlarmState.RECOVERING;
        }
    }

    private AlarmState enter() {
        run = 0;
        return AlarmState.ALARM;
    }
}
