package io.varshift.agent;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.varshift.agent.loop.AgentLoop;

/** SmallRye health: liveness = the loop polls; readiness = joined the group and every model loaded. */
final class AgentHealth {

    private AgentHealth() {
    }

    @Liveness
    @ApplicationScoped
    static class LoopAlive implements HealthCheck {
        @Inject
        AgentService agent;

        @Override
        public HealthCheckResponse call() {
            AgentLoop loop = agent.loop();
            return HealthCheckResponse.named("varshift-agent-loop")
                    .status(agent.alive())
                    .withData("lastPoll", loop == null || loop.lastPoll() == null ? "never" : loop.lastPoll().toString())
                    .build();
        }
    }

    @Readiness
    @ApplicationScoped
    static class Ready implements HealthCheck {
        @Inject
        AgentService agent;

        @Override
        public HealthCheckResponse call() {
            AgentLoop loop = agent.loop();
            boolean joined = loop != null && loop.joined();
            String missing = loop == null ? "all" : String.join(",", loop.modelsNotLoaded());
            return HealthCheckResponse.named("varshift-agent-ready")
                    .status(joined && missing.isEmpty() && agent.alive())
                    .withData("joinedGroup", joined)
                    .withData("modelsNotLoaded", missing)
                    .build();
        }
    }
}
