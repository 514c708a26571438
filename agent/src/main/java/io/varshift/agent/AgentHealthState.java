package io.varshift.agent;

import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.varshift.agent.loop.AgentLoop;
import io.varshift.agent.loop.LoopSupervisor;

/**
 * Liveness and readiness of an agent, from its loop supervisor and a broker check; the Quarkus health
 * checks and the fault tests' child agent both answer from this.
 */
public final class AgentHealthState {

    private final LoopSupervisor supervisor;
    private final BrokerCheck broker;
    private final Duration livenessTimeout;
    private final BooleanSupplier threadAlive;

    public AgentHealthState(LoopSupervisor supervisor, BrokerCheck broker, Duration livenessTimeout,
            BooleanSupplier threadAlive) {
        this.supervisor = supervisor;
        this.broker = broker;
        this.livenessTimeout = livenessTimeout;
        this.threadAlive = threadAlive;
    }

    /** The loop thread runs, has not given up, and polled within the liveness timeout (or is restarting). */
    public boolean live() {
        return threadAlive.getAsBoolean() && supervisor.alive(livenessTimeout);
    }

    public Map<String, Object> liveData() {
        String failure = supervisor.failure();
        return Map.of("lastPoll", supervisor.lastPoll() == null ? "never" : supervisor.lastPoll().toString(),
                "restarting", supervisor.restarting(), "failure", failure == null ? "none" : failure);
    }

    /** Live, not restarting, joined the group, every watched model loaded, and the broker answers. */
    public boolean ready() {
        AgentLoop loop = supervisor.loop();
        return live() && !supervisor.restarting() && loop != null && loop.joined() && loop.modelsNotLoaded().isEmpty()
                && broker.reachable();
    }

    public Map<String, Object> readyData() {
        AgentLoop loop = supervisor.loop();
        return Map.of("joinedGroup", loop != null && loop.joined(),
                "modelsNotLoaded", loop == null ? "all" : String.join(",", loop.modelsNotLoaded()),
                "restarting", supervisor.restarting(),
                "broker", broker.detail());
    }
}
